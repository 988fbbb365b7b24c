// quant_1x128: activation quantization, BF16 [m,k] -> FP8 E4M3 [m,k] plus one
// FP32 scale per 1x128 group, scales [m, k/128] row-major (DeepSeek-V3 3.3.2).
//
// Stands for: the CUDA suite's activation quantizer (validate/kernels/
// README.md): m*k/8/256 CTAs of 256 threads, one thread per 16-byte vector
// (8 values); the 16 lanes holding a 128-value group reduce the amax with 4
// shuffles; q = x * (448 / amax) converted two at a time; 8-byte stores. No
// shared memory, one pass.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kGroup = 128;
constexpr int kPerThread = 8;   // BF16 values per thread (one 16-byte vector)
constexpr int kRegisters = 32;  // assumption: 8 values and addresses fit in 32 registers
// Lane operations per thread: 8 |x|-max, 4 shuffles + 4 max, 8 multiplies,
// 4 paired conversions, 2 BF16 unpacks per pair (4); one reciprocal on the SFU.
constexpr int kFp32PerThread = 8 + 4 + 4 + 8 + 4;
constexpr int kInt32PerThread = 4;

const std::vector<KernelParam> kParams = {
    {"m", "integer > 0", "", "elements", "rows (tokens)", {}},
    {"k", "integer > 0", "", "elements", "columns (channels), a multiple of 128", {}}};

struct Shape {
  std::int64_t m, k;
};

Shape read_shape(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  if (k % kGroup != 0) p.fail("k", "must be a multiple of 128 (1x128 groups)");
  return {m, k};
}

// BF16 read once; FP8 and one FP32 scale per 128 written once.
KernelWork work(const KernelDescriptor& d) {
  const Shape s = read_shape(d);
  const double rows = static_cast<double>(s.m), k = static_cast<double>(s.k);
  KernelWork w;
  w.read_bytes = rows * k * 2;
  w.write_bytes = rows * k + rows * k / 128 * 4;
  w.flops = rows * k * 3;  // |x| max, scale, convert
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Shape s = read_shape(d);
  const std::int64_t m = s.m, k = s.k;
  const std::int64_t elems = m * k;
  const std::int64_t per_cta = static_cast<std::int64_t>(kThreads) * kPerThread;  // 16 groups
  const std::int64_t units = (elems + per_cta - 1) / per_cta;
  std::vector<TensorDesc> t = {{"x (BF16)", m, k, 2}, {"q (FP8)", m, k, 1}, {"scales (FP32)", m, k / kGroup, 4}};
  return streaming_program(d.kind, ctx, {kThreads, kRegisters, 0}, t, units,
                           [=](std::int64_t u, std::int64_t, OpList& out) {
                             const std::int64_t e0 = u * per_cta;
                             const std::int64_t n = std::min(per_cta, elems - e0);
                             const std::int64_t threads = n / kPerThread;
                             out.push_back(ld_global(0, e0 * 2, n * 2));
                             out.push_back(cuda_core_ops(kFp32PerThread * threads, kInt32PerThread * threads, threads));
                             out.push_back(st_global(1, e0, n));
                             out.push_back(st_global(2, e0 / kGroup * 4, n / kGroup * 4));
                           });
}

}  // namespace

KernelDef quant_1x128_kernel() {
  return {"quant_1x128", "CUDA suite 1x128 activation quantizer (BF16 -> FP8 E4M3 + FP32 scales)",
          kParams,       build,
          work,          {{"m", 4096}, {"k", 7168}}};
}

}  // namespace hwsim::kernels
