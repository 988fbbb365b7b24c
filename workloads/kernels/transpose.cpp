// transpose: [m,k] -> [k,m] of `dtype` elements.
//
// Stands for: the CUDA suite's shared-memory tiled transpose: one 256-thread
// CTA per 64x64 tile, coalesced loads of rows, a padded shared-memory tile,
// coalesced stores of the transposed rows.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kTile = 64;
constexpr int kRegisters = 32;  // assumption: index arithmetic and 16 values per thread

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"m", "k", "dtype"});
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  const DataType dt = p.dtype("dtype");
  if (dt != DataType::kBf16 && dt != DataType::kFp8E4M3 && dt != DataType::kFp32)
    p.fail("dtype", "must be bf16, fp8_e4m3 or fp32");
  const int e = bytes_of(dt);
  const std::int64_t mt = (m + kTile - 1) / kTile, kt = (k + kTile - 1) / kTile;
  std::vector<TensorDesc> t = {{"x", m, k, e}, {"xT", k, m, e}};
  const std::int64_t tile_bytes = static_cast<std::int64_t>(kTile) * (kTile + 1) * e;  // +1 column of padding
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, tile_bytes}, t, mt * kt, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t mi = u / kt, ki = u % kt;
        out.push_back(ld_global_box(0, mi * kTile, ki * kTile, kTile, kTile));
        out.push_back(st_shared(static_cast<std::int64_t>(kTile) * kTile * e));
        out.push_back(cta_sync());
        out.push_back(ld_shared(static_cast<std::int64_t>(kTile) * kTile * e));
        out.push_back(cuda_core_ops(0, kTile * kTile / 8));  // address arithmetic per 16-byte vector
        out.push_back(st_global_box(1, ki * kTile, mi * kTile, kTile, kTile));
      });
}

}  // namespace

KernelDef transpose_kernel() {
  return {"transpose", "CUDA suite shared-memory tiled transpose (64x64 tiles)", {"m", "k", "dtype"}, build};
}

}  // namespace hwsim::kernels
