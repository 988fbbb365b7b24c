// rmsnorm: y = x * rsqrt(mean(x^2) + eps) * w over rows of x[m,n], BF16.
//
// Stands for: the CUDA suite's RMSNorm (validate/kernels/README.md): one CTA
// per row with min(128, n/8 rounded up to 32) threads; each thread keeps up
// to 8 16-byte vectors of the row in registers (n <= 8192), so the row is read
// once: sum of squares, warp shuffle, shared partials (16 B), then
// y = x * rsqrt(mean + eps) * w; the weight row is read by every CTA and stays
// in L2.
//
// out_dtype = fp8_e4m3 (proposal: fused cast, DeepSeek-V3 3.5.2) writes E4M3
// plus 1x128 FP32 scales instead of BF16, through a warp-level cast: each
// 128-value group lives in 16 threads (8 values each), so the group's |x| max
// is a per-thread max and a 4-step shuffle reduction; one reciprocal per
// group on the SFU; then a multiply and half a paired conversion per value.
// bf16_and_fp8_e4m3 writes both outputs (the MoE norm's BF16 feeds the router).
#include <fmt/format.h>

#include <algorithm>
#include <string>

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
// unpack of w (int), half a paired conversion. The two INT32 ops per element
// are charged one in each pass over the row (the cuda_core_ops below).
constexpr double kFp32PerElem = 1.0 + 2.0 + 0.5;
constexpr int kScaleGroup = 128;  // DeepSeek-V3 1x128 activation groups
// FP8 output, per element: max(|y|), multiply by the inverse scale, half a
// paired cvt.rn.satfinite.e4m3x2; per 8 elements (a thread's share of a group
// of 16 threads) 4 shuffles + 4 max; per thread of a group one reciprocal.
constexpr double kCastFp32PerElem = 1.0 + 1.0 + 0.5 + 4.0 / 8;
constexpr double kCastInt32PerElem = 4.0 / 8;
constexpr double kCastSfuPerElem = 1.0 / 8;

const std::vector<KernelParam> kParams = {
    {"m", "integer > 0", "", "elements", "rows (tokens)", {}},
    {"n", "integer > 0", "", "elements", "the normalised dimension (hidden size), a multiple of 8, at most 8192", {}},
    {"out_dtype",
     "choice",
     "bf16",
     "",
     "output: BF16, FP8 + 1x128 scales through a warp-level cast (fused cast proposal), or both",
     {"bf16", "fp8_e4m3", "bf16_and_fp8_e4m3"}}};

struct Request {
  std::int64_t m, n;
  bool bf16_out, fp8_out;
};

Request read_request(const ParamReader& p) {
  const std::int64_t m = p.positive("m"), n = p.positive("n");
  const std::string out_dtype = p.choice("out_dtype");
  const bool fp8_out = out_dtype != "bf16";
  if (fp8_out && n % kScaleGroup != 0)
    p.fail("n", fmt::format("= {} must be a multiple of 128 for FP8 output (1x128 scales)", n));
  if (n % kValuesPerVector != 0) p.fail("n", "must be a multiple of 8 (16-byte vectors)");
  return {m, n, out_dtype != "fp8_e4m3", fp8_out};
}

// x and the weight row read once; each output written once.
KernelWork work(const KernelDescriptor& d) {
  const Request r = read_request(ParamReader(d, kParams));
  const double m = static_cast<double>(r.m), n = static_cast<double>(r.n);
  KernelWork w;
  w.read_bytes = m * n * 2 + n * 2;
  w.write_bytes = (r.bf16_out ? m * n * 2 : 0) + (r.fp8_out ? m * n + m * n / 128 * 4 : 0);
  w.flops = m * n * 4;
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const Request r = read_request(p);
  const std::int64_t m = r.m, n = r.n;
  const bool bf16_out = r.bf16_out, fp8_out = r.fp8_out;
  const std::int64_t vectors = n / kValuesPerVector;
  const int threads = static_cast<int>(std::min<std::int64_t>(kMaxThreads, (vectors + 31) / 32 * 32));
  if (vectors > static_cast<std::int64_t>(threads) * kMaxVectorsPerThread) {
    p.fail("n", "must be at most 8192 (the kernel keeps a row in registers: 128 threads x 8 vectors)");
  }
  std::vector<TensorDesc> t = {{"x (BF16)", m, n, 2},
                               {"w (BF16)", 1, n, 2},
                               {"y (BF16)", m, n, 2},
                               {"y (FP8)", m, n, 1},
                               {"y scales (FP32)", m, std::max<std::int64_t>(1, n / kScaleGroup), 4}};
  const auto cast_ops = [n](double per_elem) { return static_cast<std::int64_t>(per_elem * static_cast<double>(n)); };
  return streaming_program(
      d.kind, ctx, {threads, kRegisters, kPartialBytes}, t, m, [=](std::int64_t row, std::int64_t, OpList& out) {
        out.push_back(ld_global_box(0, row, 0, 1, n));
        out.push_back(cuda_core_ops(n, n, 0));  // unpack and sum of squares
        out.push_back(st_shared(kPartialBytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kPartialBytes));
        out.push_back(ld_global(1, 0, n * 2));  // weight row, an L2 hit after the first CTAs
        out.push_back(cuda_core_ops(static_cast<std::int64_t>((kFp32PerElem - 1.0) * static_cast<double>(n)), n, 1));
        if (fp8_out) {
          out.push_back(
              cuda_core_ops(cast_ops(kCastFp32PerElem), cast_ops(kCastInt32PerElem), cast_ops(kCastSfuPerElem)));
          out.push_back(st_global_box(3, row, 0, 1, n));
          out.push_back(st_global_box(4, row, 0, 1, n / kScaleGroup));
        }
        if (bf16_out) out.push_back(st_global_box(2, row, 0, 1, n));
      });
}

}  // namespace

KernelDef rmsnorm_kernel() {
  return {"rmsnorm", "CUDA suite RMSNorm (one CTA per row, BF16; FP8 output through a warp-level cast)",
          kParams,   build,
          work,      {{"m", 4096}, {"n", 7168}}};
}

}  // namespace hwsim::kernels
