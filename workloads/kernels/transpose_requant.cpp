// transpose_requant: the backward pass's transposed re-quantization
// (DeepSeek-V3 3.5.2): FP8 [m,k] with 1x128 scales -> dequantize -> transpose
// -> FP8 [k,m] with 128x1 scales (1x128 along m of the transposed tensor).
//
// Stands for: the CUDA suite's fused transpose-requant kernel: one 256-thread
// CTA per 128x128 tile; load the FP8 tile and its 128 row scales, dequantize,
// transpose through shared memory, amax per new row (128 values), scale,
// convert, store the FP8 tile and 128 scales.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kTile = 128;
constexpr int kRegisters = 64;  // assumption: 64 values per thread in registers
// Per element: FP8 -> FP32 convert, dequant multiply, amax, requant multiply,
// half a packed convert.
constexpr double kOpsPerElem = 1.0 + 1.0 + 1.0 + 1.0 + 0.5;

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "k"});
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  if (m % kTile != 0) p.fail("m", "must be a multiple of 128 (the 128x1 output groups run along m)");
  if (k % kTile != 0) p.fail("k", "must be a multiple of 128 (1x128 input groups)");
  const std::int64_t mt = m / kTile, kt = k / kTile;
  std::vector<TensorDesc> t = {
      {"x (FP8)", m, k, 1}, {"x scales (FP32)", m, kt, 4}, {"xT (FP8)", k, m, 1}, {"xT scales (FP32)", k, mt, 4}};
  const std::int64_t tile_bytes = kTile * kTile;  // FP8 tile staged in shared memory
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, tile_bytes}, t, mt * kt, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t mi = u / kt, ki = u % kt;
        out.push_back(ld_global_box(0, mi * kTile, ki * kTile, kTile, kTile));
        out.push_back(ld_global_box(1, mi * kTile, ki, kTile, 1));
        out.push_back(st_shared(tile_bytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(tile_bytes));
        out.push_back(cuda_core_ops(static_cast<std::int64_t>(kOpsPerElem * kTile * kTile), 0, kTile));
        out.push_back(st_global_box(2, ki * kTile, mi * kTile, kTile, kTile));
        out.push_back(st_global_box(3, ki * kTile, mi, kTile, 1));
      });
}

}  // namespace

KernelDef transpose_requant_kernel() {
  return {"transpose_requant", "CUDA suite transposed re-quantization (FP8 1x128 -> FP8 128x1)", {"m", "k"}, build};
}

}  // namespace hwsim::kernels
