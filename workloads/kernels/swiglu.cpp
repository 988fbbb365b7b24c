// swiglu: y[m,n] = silu(x[:, :n]) * x[:, n:], BF16 in and out (the gated
// activation of DeepSeek-V3's MLP and experts).
//
// Stands for: the CUDA suite's SwiGLU (validate/kernels/README.md): one
// thread per 8 outputs, two 16-byte loads (gate, up), FP32 math (expf), one
// 16-byte store; m*n/8/256 CTAs of 256 threads, no shared memory. A CTA covers
// 2048 consecutive outputs of a row (rows of n < 2048 are simulated one row
// per CTA).
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr std::int64_t kPerCta = kThreads * 8;
constexpr int kRegisters = 40;  // assumption
// Per output: expf = multiply + ex2 (SFU), 1 + e, reciprocal (SFU), two
// multiplies, half a paired BF16 conversion; unpacking two inputs = 1 int op.
constexpr int kFp32PerElem = 5;
constexpr int kSfuPerElem = 2;
constexpr int kInt32PerElem = 1;

const std::vector<KernelParam> kParams = {
    {"m", "integer > 0", "", "elements", "rows (tokens)", {}},
    {"n", "integer > 0", "", "elements", "output columns (the input holds gate | up, 2 n), a multiple of 8", {}}};

struct Shape {
  std::int64_t m, n;
};

Shape read_shape(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const std::int64_t m = p.positive("m"), n = p.positive("n");
  if (n % 8 != 0) p.fail("n", "must be a multiple of 8 (16-byte vectors)");
  return {m, n};
}

// gate | up read once (BF16), y written once.
KernelWork work(const KernelDescriptor& d) {
  const Shape s = read_shape(d);
  const double m = static_cast<double>(s.m), n = static_cast<double>(s.n);
  KernelWork w;
  w.read_bytes = m * 2 * n * 2;
  w.write_bytes = m * n * 2;
  w.flops = m * n * 8;
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Shape s = read_shape(d);
  const std::int64_t m = s.m, n = s.n;
  const std::int64_t w = std::min(n, kPerCta);
  const std::int64_t segs = (n + w - 1) / w;
  std::vector<TensorDesc> t = {{"x (gate|up, BF16)", m, 2 * n, 2}, {"y (BF16)", m, n, 2}};
  return streaming_program(d.kind, ctx, {kThreads, kRegisters, 0}, t, m * segs,
                           [=](std::int64_t u, std::int64_t, OpList& out) {
                             const std::int64_t row = u / segs, c0 = u % segs * w;
                             const std::int64_t len = std::min(w, n - c0);
                             out.push_back(ld_global_box(0, row, c0, 1, len));
                             out.push_back(ld_global_box(0, row, n + c0, 1, len));
                             out.push_back(cuda_core_ops(kFp32PerElem * len, kInt32PerElem * len, kSfuPerElem * len));
                             out.push_back(st_global_box(1, row, c0, 1, len));
                           });
}

}  // namespace

KernelDef swiglu_kernel() {
  return {"swiglu", "CUDA suite SwiGLU (BF16, FP32 math)", kParams, build, work, {{"m", 4096}, {"n", 2048}}};
}

}  // namespace hwsim::kernels
