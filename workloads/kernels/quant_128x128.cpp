// quant_128x128: weight quantization, BF16 [n,k] -> FP8 E4M3 [n,k] plus one
// FP32 scale per 128x128 block (DeepSeek-V3 3.3.2).
//
// Stands for: the CUDA suite's block quantizer: one 256-thread CTA per
// 128x128 block (each thread 64 values as 16-byte loads), per-thread amax,
// a block reduction through shared memory, then scale, convert and store.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kBlock = 128;
constexpr int kRegisters = 64;                   // assumption: 64 values per thread held in registers
constexpr double kOpsPerElem = 1.0 + 1.0 + 0.5;  // amax, scale multiply, half a packed convert

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, {"n", "k"});
  const std::int64_t n = p.positive("n"), k = p.positive("k");
  const std::int64_t nb = (n + kBlock - 1) / kBlock, kb = (k + kBlock - 1) / kBlock;
  std::vector<TensorDesc> t = {{"w (BF16)", n, k, 2}, {"q (FP8)", n, k, 1}, {"scales (FP32)", nb, kb, 4}};
  const std::int64_t reduce_bytes = kThreads * 4;
  return streaming_program(
      d.kind, ctx, {kThreads, kRegisters, reduce_bytes}, t, nb * kb, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t r0 = u / kb * kBlock, c0 = u % kb * kBlock;
        out.push_back(ld_global_box(0, r0, c0, kBlock, kBlock));
        out.push_back(cuda_core_ops(kBlock * kBlock));  // amax
        out.push_back(st_shared(reduce_bytes));
        out.push_back(cta_sync());
        out.push_back(ld_shared(reduce_bytes));
        out.push_back(cuda_core_ops(static_cast<std::int64_t>((kOpsPerElem - 1.0) * kBlock * kBlock), 0, 1));
        out.push_back(st_global_box(1, r0, c0, kBlock, kBlock));
        out.push_back(st_global_box(2, u / kb, u % kb, 1, 1));
      });
}

}  // namespace

KernelDef quant_128x128_kernel() {
  return {
      "quant_128x128", "CUDA suite 128x128 weight quantizer (BF16 -> FP8 E4M3 + FP32 block scales)", {"n", "k"}, build};
}

}  // namespace hwsim::kernels
