// Transposed GEMM (DeepSeek-V3 3.5.2): the weight-gradient GEMM reads its
// operands in the token-major layout they were stored in (FP8 with 1x128
// scales); the TMA re-scales each tile to 128x1 on its way into shared
// memory and WGMMA reads it transposed (MN-major), so the backward's
// dequantize-transpose-requantize kernels and their HBM round trips vanish.
// The paper pairs it with the fused cast + TMA; so does this model.
#include "hw_proposals/transposed_gemm/transposed_gemm.hpp"

namespace hwsim::proposals {

void apply_transposed_gemm(std::vector<StudyKernel>& kernels) {
  for (auto& r : kernels) {
    if (r.kernel.kind != "transpose_requant" || r.change == Change::kRemoved) continue;
    for (const auto& c : r.kernel.consumers) {
      StudyKernel* gemm = find_kernel(kernels, c);
      if (gemm == nullptr || gemm->kernel.kind != "gemm" || gemm->change == Change::kRemoved) continue;
      if (gemm->kernel.params.value("operand_major", "k") != "mn") {
        set_param(*gemm, "operand_major", "mn",
                  "reads both operands token-major (as stored) and WGMMA reads them transposed from shared memory");
      }
      mark_removed(r, "transposed read by " + gemm->kernel.name);
    }
  }
}

// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "transposed_gemm",
     .title = "Transposed GEMM",
     .summary = "WGMMA reads FP8 operands transposed from shared memory with scales along the other dimension, so the "
                "backward's transposed re-quantization kernels disappear.",
     .rewrite = apply_transposed_gemm,
     .sensitivity = {sweep("tma.fp8_cast_bytes_per_clk", "B/clk/SM", "bytes per clock the TMA re-scales to 128x1 tiles",
                           {16, 32, 64, 128, 256})}}};

}  // namespace hwsim::proposals
