// quant_128x128: weight quantization, BF16 [n,k] -> FP8 E4M3 [n,k] plus one
// FP32 scale per 128x128 block, scales [n/128, k/128] (DeepSeek-V3 3.3.2).
//
// Stands for: the CUDA suite's block quantizer (validate/kernels/README.md):
// grid (k/128, n/128), 256 threads per tile, each thread 8 16-byte vectors
// (64 values) kept in registers; amax by warp shuffle then 8 partials in
// shared memory (32 B); quantize from registers, 8-byte stores. One pass.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kBlock = 128;
constexpr int kPartialBytes = 32;  // 8 warp partials of 4 bytes
constexpr int kRegisters = 64;     // assumption: 64 values per thread in registers
// Per thread: 64 |x|-max, 5 shuffles + 5 max, 8 partials read + max, 64
// multiplies, 32 paired conversions; unpacking 64 BF16 is 32 integer ops.
constexpr int kFp32PerThread = 64 + 10 + 8 + 64 + 32;
constexpr int kInt32PerThread = 32;

const std::vector<KernelParam> kParams = {
    {"n", "integer > 0", "", "elements", "rows of the weight (output features)", {}},
    {"k", "integer > 0", "", "elements", "columns of the weight (input features)", {}}};

// BF16 read once; FP8 and one FP32 scale per 128x128 block written once.
KernelWork work(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const auto rows = static_cast<double>(p.positive("n")), k = static_cast<double>(p.positive("k"));
  KernelWork w;
  w.read_bytes = rows * k * 2;
  w.write_bytes = rows * k + rows * k / 16384 * 4;
  w.flops = rows * k * 3;  // |x| max, scale, convert
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const std::int64_t n = p.positive("n"), k = p.positive("k");
  const std::int64_t nb = (n + kBlock - 1) / kBlock, kb = (k + kBlock - 1) / kBlock;
  std::vector<TensorDesc> t = {{"w (BF16)", n, k, 2}, {"q (FP8)", n, k, 1}, {"scales (FP32)", nb, kb, 4}};
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, kPartialBytes}, t, nb * kb, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t r0 = u / kb * kBlock, c0 = u % kb * kBlock;
        out.push_back(ld_global_box(0, r0, c0, kBlock, kBlock));
        out.push_back(cuda_core_ops(74LL * kThreads));  // amax and shuffles
        out.push_back(st_shared(kPartialBytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(kPartialBytes));
        out.push_back(cuda_core_ops((kFp32PerThread - 74LL) * kThreads, kInt32PerThread * kThreads, 1));
        out.push_back(st_global_box(1, r0, c0, kBlock, kBlock));
        out.push_back(st_global_box(2, u / kb, u % kb, 1, 1));
      });
}

}  // namespace

KernelDef quant_128x128_kernel() {
  return {"quant_128x128",
          "CUDA suite 128x128 weight quantizer (BF16 -> FP8 E4M3 + FP32 block scales)",
          kParams,
          build,
          work,
          {{"n", 7168}, {"k", 2048}}};
}

}  // namespace hwsim::kernels
