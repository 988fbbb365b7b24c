// Fused FP8 cast + TMA (DeepSeek-V3 3.5.2, "online quantization"): the TMA
// loads BF16 activations and writes FP8 plus 1x128 scales into shared memory,
// so the standalone 1x128 quantization kernel disappears where its consumer
// is a GEMM; and a warp-level cast instruction lets RMSNorm write FP8 itself.
#include "hw_proposals/fused_cast_tma/fused_cast_tma.hpp"

namespace hwsim::proposals {

// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "fused_cast_tma",
     .title = "Fused FP8 cast + TMA",
     .summary = "The TMA casts BF16 to FP8 with 1x128 scales on its way into shared memory, and RMSNorm casts with a "
                "warp-level instruction, so the separate quantization kernels and their HBM round trips disappear.",
     .rewrite = apply_fused_cast,
     .sensitivity = {sweep("tma.fp8_cast_bytes_per_clk", "B/clk/SM", "BF16 bytes the TMA casts per clock per SM",
                           {16, 32, 64, 128, 256})}}};

void apply_fused_cast(std::vector<StudyKernel>& kernels) {
  for (auto& q : kernels) {
    if (q.kernel.kind != "quant_1x128" || q.change == Change::kRemoved) continue;
    StudyKernel* producer = find_kernel(kernels, q.kernel.producer);
    if (producer != nullptr && producer->kernel.kind == "rmsnorm") {
      // The warp-level cast: the norm writes FP8 + scales directly. The MoE's
      // norm still writes BF16 for the router, which reads it in BF16.
      const bool bf16_needed = q.kernel.consumers == std::vector<std::string>{"dispatch"};
      set_param(*producer, "out_dtype", bf16_needed ? "bf16_and_fp8_e4m3" : "fp8_e4m3",
                "writes FP8 + 1x128 scales through a warp-level cast instead of a separate quantization");
      mark_removed(q, "fused into " + producer->kernel.name + " by the warp-level cast");
      continue;
    }
    StudyKernel* gemm = nullptr;
    bool other_readers = false;
    for (const auto& c : q.kernel.consumers) {
      StudyKernel* k = find_kernel(kernels, c);
      if (k == nullptr || k->change == Change::kRemoved) continue;
      if (is_gemm(*k) && gemm == nullptr)
        gemm = k;
      else
        other_readers = true;
    }
    if (gemm == nullptr) continue;
    set_param(*gemm, "a_source", "bf16_tma_cast", "TMA loads BF16 A tiles and casts them to FP8 + 1x128 scales");
    // The FP8 copy the backward's transposed re-quantization reads is written
    // once, by the CTAs of the first N tile, from the cast tile in shared memory.
    if (other_readers) set_param(*gemm, "write_a_fp8_copy", true, "writes the FP8 copy the backward needs");
    mark_removed(q, "cast fused into the TMA load of " + gemm->kernel.name);
  }
}

}  // namespace hwsim::proposals
