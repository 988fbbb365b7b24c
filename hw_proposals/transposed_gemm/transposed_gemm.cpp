// Transposed GEMM (DeepSeek-V3 3.5.2): the weight-gradient GEMM reads its
// operands in the token-major layout they were stored in (FP8 with 1x128
// scales); the TMA re-scales each tile to 128x1 on its way into shared
// memory and WGMMA reads it transposed (MN-major), so the backward's
// dequantize-transpose-requantize kernels and their HBM round trips vanish.
// The paper pairs it with the fused cast + TMA; so does this model.
#include "hw_proposals/transposed_gemm/transposed_gemm.hpp"

#include "hw_proposals/proposal_assets.hpp"

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

namespace {

class TransposedGemm final : public Proposal {
 public:
  std::string_view name() const override { return "transposed_gemm"; }
  std::string_view title() const override { return "Transposed GEMM"; }
  std::string_view summary() const override {
    return "WGMMA reads FP8 operands transposed from shared memory with scales along the other dimension, so the "
           "backward's transposed re-quantization kernels disappear.";
  }
  Level level() const override { return Level::kLayer; }
  std::vector<ConfigOverlay> spec_delta() const override { return {proposal_spec_delta("transposed_gemm")}; }
  void rewrite(std::vector<StudyKernel>& kernels) const override { apply_transposed_gemm(kernels); }
  std::vector<SensitivityParam> sensitivity() const override {
    return {{"tma.fp8_cast_bytes_per_clk",
             "B/clk/SM",
             "bytes per clock the TMA re-scales to 128x1 tiles",
             {16, 32, 64, 128, 256}}};
  }
};

}  // namespace

std::unique_ptr<Proposal> make_transposed_gemm() { return std::make_unique<TransposedGemm>(); }

}  // namespace hwsim::proposals
