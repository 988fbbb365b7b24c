// quant_1x128: activation quantization, BF16 [m,k] -> FP8 E4M3 [m,k] plus one
// FP32 scale per 1x128 group (DeepSeek-V3 3.3.2 fine-grained scaling).
//
// Stands for: the CUDA suite's activation quantizer: 16 threads per 128-wide
// group, each loading 8 BF16 (16 bytes); amax by warp shuffles, scale =
// amax / 448, FP32 multiply and packed e4m3x2 conversion; FP8 and scales
// stored with vector stores. 256-thread CTAs, 2 groups of 8 values per thread
// per iteration, grid-stride over the tensor.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kGroup = 128;
constexpr int kPerThread = 16;  // BF16 values per thread per iteration
constexpr int kRegisters = 40;  // assumption: elementwise quantizer footprint
// Lane operations per element: |x| max, multiply by 1/scale, half a packed
// conversion, and the shuffle tree (4 levels over 16 threads of 8 values).
constexpr double kOpsPerElem = 1.0 + 1.0 + 0.5 + 4.0 / 8.0;

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "k"});
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  if (k % kGroup != 0) p.fail("k", "must be a multiple of 128 (1x128 groups)");
  const std::int64_t elems = m * k;
  const std::int64_t per_unit = static_cast<std::int64_t>(kThreads) * kPerThread;  // a multiple of 128
  const std::int64_t units = (elems + per_unit - 1) / per_unit;
  std::vector<TensorDesc> t = {{"x (BF16)", m, k, 2}, {"q (FP8)", m, k, 1}, {"scales (FP32)", m, k / kGroup, 4}};
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, 0}, t, units, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t e0 = u * per_unit;
        const std::int64_t n = std::min(per_unit, elems - e0);
        out.push_back(ld_global(0, e0 * 2, n * 2));
        out.push_back(cuda_core_ops(static_cast<std::int64_t>(kOpsPerElem * static_cast<double>(n)), 0, n / kGroup));
        out.push_back(st_global(1, e0, n));
        out.push_back(st_global(2, e0 / kGroup * 4, n / kGroup * 4));
      });
}

}  // namespace

KernelDef quant_1x128_kernel() {
  return {"quant_1x128", "CUDA suite 1x128 activation quantizer (BF16 -> FP8 E4M3 + FP32 scales)", {"m", "k"}, build};
}

}  // namespace hwsim::kernels
