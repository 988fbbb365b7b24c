// rmsnorm: y = x / sqrt(mean(x^2) + eps) * w over rows of x[m,n], BF16.
//
// Stands for: the CUDA suite's RMSNorm: one 256-thread CTA per row
// (grid-stride over rows), 16-byte vector loads, FP32 sum of squares reduced
// by warp shuffles and shared memory, rsqrt on the SFU, scale by the weight
// vector (loaded once per CTA and kept in registers: every row uses the same
// columns of it), BF16 stores.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kRegisters = 48;  // assumption: the row slice stays in registers between passes
// Per element: convert in, FFMA of the square, two multiplies (rstd, weight),
// convert of the weight, half a packed convert out.
constexpr double kOpsPerElem = 1.0 + 1.0 + 2.0 + 1.0 + 0.5;

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "n"});
  const std::int64_t m = p.positive("m"), n = p.positive("n");
  std::vector<TensorDesc> t = {{"x (BF16)", m, n, 2}, {"w (BF16)", 1, n, 2}, {"y (BF16)", m, n, 2}};
  const std::int64_t reduce = kThreads / 32 * 4;
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, reduce}, t, m, [=](std::int64_t row, std::int64_t seq, OpList& out) {
        out.push_back(ld_global_box(0, row, 0, 1, n));
        // Each thread keeps the weights of its columns in registers across the rows it visits.
        if (seq == 0) out.push_back(ld_global(1, 0, n * 2));
        out.push_back(cuda_core_ops(2 * n, 0, 0));
        out.push_back(st_shared(reduce));
        out.push_back(cta_sync());
        out.push_back(ld_shared(reduce));
        out.push_back(cuda_core_ops(static_cast<std::int64_t>((kOpsPerElem - 2.0) * static_cast<double>(n)), 0, 1));
        out.push_back(st_global_box(2, row, 0, 1, n));
      });
}

}  // namespace

KernelDef rmsnorm_kernel() { return {"rmsnorm", "CUDA suite RMSNorm (one CTA per row, BF16)", {"m", "n"}, build}; }

}  // namespace hwsim::kernels
