// rmsnorm: y = x * rsqrt(mean(x^2) + eps) * w over rows of x[m,n], BF16.
//
// Stands for: the CUDA suite's RMSNorm (validate/kernels/README.md): one CTA
// per row with min(128, n/8 rounded up to 32) threads; each thread keeps up
// to 8 16-byte vectors of the row in registers (n <= 8192), so the row is read
// once: sum of squares, warp shuffle, shared partials (16 B), then
// y = x * rsqrt(mean + eps) * w; the weight row is read by every CTA and stays
// in L2.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kMaxThreads = 128;
constexpr int kValuesPerVector = 8;
constexpr int kMaxVectorsPerThread = 8;
constexpr int kPartialBytes = 16;
constexpr int kRegisters = 64;  // assumption: 8 vectors (32 registers) plus weights in flight
// Per element: unpack (int), square-accumulate FFMA, two multiplies (rstd, w),
// unpack of w (int), half a paired conversion.
constexpr double kFp32PerElem = 1.0 + 2.0 + 0.5;
constexpr int kInt32PerElem = 2;

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "n"});
  const std::int64_t m = p.positive("m"), n = p.positive("n");
  if (n % kValuesPerVector != 0) p.fail("n", "must be a multiple of 8 (16-byte vectors)");
  const std::int64_t vectors = n / kValuesPerVector;
  const int threads = static_cast<int>(std::min<std::int64_t>(kMaxThreads, (vectors + 31) / 32 * 32));
  if (vectors > static_cast<std::int64_t>(threads) * kMaxVectorsPerThread) {
    p.fail("n", "must be at most 8192 (the kernel keeps a row in registers: 128 threads x 8 vectors)");
  }
  std::vector<TensorDesc> t = {{"x (BF16)", m, n, 2}, {"w (BF16)", 1, n, 2}, {"y (BF16)", m, n, 2}};
  return streaming_program(
      d.kind, ctx, {threads, kRegisters, kPartialBytes}, t, m, [=](std::int64_t row, std::int64_t, OpList& out) {
        out.push_back(ld_global_box(0, row, 0, 1, n));
        out.push_back(cuda_core_ops(n, n, 0));  // unpack and sum of squares
        out.push_back(st_shared(kPartialBytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kPartialBytes));
        out.push_back(ld_global(1, 0, n * 2));  // weight row, an L2 hit after the first CTAs
        out.push_back(cuda_core_ops(static_cast<std::int64_t>((kFp32PerElem - 1.0) * static_cast<double>(n)), n, 1));
        out.push_back(st_global_box(2, row, 0, 1, n));
      });
}

}  // namespace

KernelDef rmsnorm_kernel() { return {"rmsnorm", "CUDA suite RMSNorm (one CTA per row, BF16)", {"m", "n"}, build}; }

}  // namespace hwsim::kernels
