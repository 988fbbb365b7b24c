// transpose_requant: the backward pass's transposed re-quantization
// (DeepSeek-V3 3.5.2): E4M3 [m,k] with 1x128 scales [m, k/128] -> dequantize
// -> transpose -> E4M3 [k,m] with 128x1 scales [k, m/128].
//
// Stands for: the CUDA suite's kernel (validate/kernels/README.md): grid
// (k/128, m/128), 256 threads per 128x128 tile, 37 KiB shared memory (16 KiB
// input tile, 16 KiB output tile, row scales, 8x128 partial maxima).
// (1) coalesced loads into the input tile; (2) each warp dequantizes 16 rows,
// keeps per-column maxima, combined through shared memory; (3) re-read,
// re-quantize, pack and write the transposed output tile; (4) coalesced stores.
//
// input_source = bf16_near_memory_cast (proposal: near-memory compute,
// DeepSeek-V3 3.5.2): the FP8 input tile is cast from the BF16 original by
// logic beside the HBM as it is read; the kernel itself is unchanged.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kTile = 128;
constexpr std::int64_t kTileBytes = kTile * kTile;  // one FP8 tile
constexpr std::int64_t kPartials = 8 * kTile * 4;   // 8 warps x 128 column maxima
constexpr std::int64_t kSmem = 37 * 1024;           // as the suite's kernel declares
constexpr int kRegisters = 64;                      // assumption
// Per element: two dequantizations (paired convert = 0.5, multiply) in the
// two passes, max, requantize multiply, paired convert 0.5; packing 16 rows
// into a 16-byte value costs about one integer op per element.
constexpr double kFp32PerElem = 2 * (0.5 + 1.0) + 1.0 + 1.0 + 0.5;
constexpr int kInt32PerElem = 1;

const std::vector<KernelParam> kParams = {
    {"m", "integer > 0", "", "elements", "rows of the FP8 input (tokens), a multiple of 128", {}},
    {"k", "integer > 0", "", "elements", "columns of the FP8 input (channels), a multiple of 128", {}},
    {"input_source",
     "choice",
     "fp8",
     "",
     "FP8 + 1x128 scales as stored, or the BF16 original cast beside the HBM (near-memory proposal)",
     {"fp8", "bf16_near_memory_cast"}}};

struct Request {
  std::int64_t m, k;
  bool near;  // input read through the near-memory cast
};

Request read_request(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const bool near = p.choice("input_source") == "bf16_near_memory_cast";
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  if (m % kTile != 0) p.fail("m", "must be a multiple of 128 (the 128x1 output groups run along m)");
  if (k % kTile != 0) p.fail("k", "must be a multiple of 128 (1x128 input groups)");
  return {m, k, near};
}

// FP8 + 1x128 scales read once, FP8 + 128x1 scales written once; through the
// near-memory cast, 2 bytes per element are read inside the stacks.
KernelWork work(const KernelDescriptor& d) {
  const Request r = read_request(d);
  const double m = static_cast<double>(r.m), k = static_cast<double>(r.k);
  KernelWork w;
  w.read_bytes = m * k + m * k / 128 * 4;
  if (r.near) w.near_memory_bytes = m * k * 2;
  w.write_bytes = m * k + m * k / 128 * 4;
  w.flops = m * k * 4;
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Request r = read_request(d);
  const DataPath x_path = r.near ? DataPath::kNearMemoryCast : DataPath::kDirect;
  const std::int64_t m = r.m, k = r.k;
  const std::int64_t mt = m / kTile, kt = k / kTile;
  std::vector<TensorDesc> t = {
      {"x (FP8)", m, k, 1}, {"x scales (FP32)", m, kt, 4}, {"xT (FP8)", k, m, 1}, {"xT scales (FP32)", k, mt, 4}};
  const auto elems = static_cast<std::int64_t>(kTile) * kTile;
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, kSmem}, t, mt * kt, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t mi = u / kt, ki = u % kt;
        out.push_back(via(ld_global_box(0, mi * kTile, ki * kTile, kTile, kTile), x_path));
        out.push_back(ld_global_box(1, mi * kTile, ki, kTile, 1));
        out.push_back(st_shared(kTileBytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kTileBytes));  // pass 1: dequantize, column maxima
        out.push_back(cuda_core_ops(static_cast<std::int64_t>(kFp32PerElem / 2 * static_cast<double>(elems))));
        out.push_back(st_shared(kPartials));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kPartials));
        out.push_back(ld_shared(kTileBytes));  // pass 2: requantize, transpose into the output tile
        out.push_back(cuda_core_ops(static_cast<std::int64_t>(kFp32PerElem / 2 * static_cast<double>(elems)),
                                    kInt32PerElem * elems, kTile));
        out.push_back(st_shared(kTileBytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kTileBytes));
        out.push_back(st_global_box(2, ki * kTile, mi * kTile, kTile, kTile));
        out.push_back(st_global_box(3, ki * kTile, mi, kTile, 1));
      });
}

}  // namespace

KernelDef transpose_requant_kernel() {
  return {
      "transpose_requant",       "CUDA suite transposed re-quantization (FP8 1x128 -> FP8 128x1)", kParams, build, work,
      {{"m", 4096}, {"k", 7168}}};
}

}  // namespace hwsim::kernels
