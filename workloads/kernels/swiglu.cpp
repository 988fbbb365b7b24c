// swiglu: y[m,n] = silu(x[:, :n]) * x[:, n:], BF16 in and out (the gated
// activation of DeepSeek-V3's MLP and experts).
//
// Stands for: the CUDA suite's SwiGLU kernel: 16-byte vector loads of the gate
// and up halves of each row, FP32 math (exp on the SFU, reciprocal, two
// multiplies), BF16 stores; 256-thread CTAs, grid-stride over row segments of
// 4096 elements.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr std::int64_t kSegment = 4096;  // elements per CTA iteration (16 per thread)
constexpr int kRegisters = 40;           // assumption
// FP32 lane ops per element: 2 converts in, negate-multiply for exp2, add 1,
// multiply by gate, multiply by up, half a packed convert out; SFU: ex2, rcp.
constexpr int kFp32PerElem = 7;
constexpr int kSfuPerElem = 2;

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "n"});
  const std::int64_t m = p.positive("m"), n = p.positive("n");
  const std::int64_t w = std::min(n, kSegment);
  const std::int64_t segs = (n + w - 1) / w;
  std::vector<TensorDesc> t = {{"x (gate|up, BF16)", m, 2 * n, 2}, {"y (BF16)", m, n, 2}};
  return streaming_program(d.kind, ctx, {kThreads, kRegisters, 0}, t, m * segs,
                           [=](std::int64_t u, std::int64_t, OpList& out) {
                             const std::int64_t row = u / segs, c0 = u % segs * w;
                             const std::int64_t len = std::min(w, n - c0);
                             out.push_back(ld_global_box(0, row, c0, 1, len));
                             out.push_back(ld_global_box(0, row, n + c0, 1, len));
                             out.push_back(cuda_core_ops(kFp32PerElem * len, 0, kSfuPerElem * len));
                             out.push_back(st_global_box(1, row, c0, 1, len));
                           });
}

}  // namespace

KernelDef swiglu_kernel() { return {"swiglu", "CUDA suite SwiGLU (BF16, FP32 math)", {"m", "n"}, build}; }

}  // namespace hwsim::kernels
