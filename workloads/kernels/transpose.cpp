// transpose: [m,k] -> [k,m] of `dtype` elements.
//
// Stands for: the CUDA suite's BF16 transpose (validate/kernels/README.md):
// grid (k/64, m/64), 256 threads per 64x64 tile, 8.25 KiB shared memory
// ([64][66] halves); each thread loads two 16-byte vectors, scatters them
// with 2-byte shared stores, gathers 8 values with four 4-byte shared loads
// and writes one 16-byte vector. Other dtypes use the same tile.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kTile = 64;
constexpr int kPad = 2;         // [64][66]: odd word pitch
constexpr int kRegisters = 32;  // assumption: 16 values and index arithmetic

const std::vector<KernelParam> kParams = {{"m", "integer > 0", "", "elements", "rows of the input", {}},
                                          {"k", "integer > 0", "", "elements", "columns of the input", {}},
                                          {"dtype", "dtype", "", "", "element type: bf16, fp8_e4m3 or fp32", {}}};

struct Request {
  std::int64_t m, k;
  DataType dt;
};

Request read_request(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const std::int64_t m = p.positive("m"), k = p.positive("k");
  const DataType dt = p.dtype("dtype");
  if (dt != DataType::kBf16 && dt != DataType::kFp8E4M3 && dt != DataType::kFp32)
    p.fail("dtype", "must be bf16, fp8_e4m3 or fp32");
  return {m, k, dt};
}

// Read once, written once.
KernelWork work(const KernelDescriptor& d) {
  const Request r = read_request(d);
  const double m = static_cast<double>(r.m), k = static_cast<double>(r.k);
  const int b = bytes_of(r.dt);
  KernelWork w;
  w.read_bytes = m * k * b;
  w.write_bytes = m * k * b;
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Request r = read_request(d);
  const std::int64_t m = r.m, k = r.k;
  const DataType dt = r.dt;
  const int e = bytes_of(dt);
  const std::int64_t mt = (m + kTile - 1) / kTile, kt = (k + kTile - 1) / kTile;
  std::vector<TensorDesc> t = {{"x", m, k, e}, {"xT", k, m, e}};
  const std::int64_t smem = static_cast<std::int64_t>(kTile) * (kTile + kPad) * e;
  const std::int64_t tile = static_cast<std::int64_t>(kTile) * kTile * e;
  return streaming_program(d.kind, ctx, {kThreads, kRegisters, smem}, t, mt * kt,
                           [=](std::int64_t u, std::int64_t, OpList& out) {
                             const std::int64_t mi = u / kt, ki = u % kt;
                             out.push_back(ld_global_box(0, mi * kTile, ki * kTile, kTile, kTile));
                             // 2-byte scattered stores: 16 per thread, at most 2-way conflicts, so the
                             // port moves twice the bytes.
                             out.push_back(st_shared(2 * tile));
                             out.push_back(cta_sync());
                             out.push_back(ld_shared(tile));
                             out.push_back(cuda_core_ops(0, 24LL * kThreads));  // index arithmetic and packing
                             out.push_back(st_global_box(1, ki * kTile, mi * kTile, kTile, kTile));
                           });
}

}  // namespace

KernelDef transpose_kernel() {
  return {"transpose", "CUDA suite shared-memory tiled transpose (64x64 tiles)",
          kParams,     build,
          work,        {{"m", 4096}, {"k", 7168}, {"dtype", "bf16"}}};
}

}  // namespace hwsim::kernels
