// All compute recommendations of DeepSeek-V3 3.5.2 together: the fused cast
// (with the warp-level cast), group-scaled MMA with full-precision
// accumulation, and the transposed GEMM. Near-memory casting is an
// alternative to the fused cast for the same kernels; once the fused cast has
// removed them it has nothing left to do, so it is not part of the sum.
#include "hw_proposals/combined/combined.hpp"

#include "hw_proposals/fused_cast_tma/fused_cast_tma.hpp"
#include "hw_proposals/group_scaled_mma/group_scaled_mma.hpp"
#include "hw_proposals/proposal_assets.hpp"
#include "hw_proposals/transposed_gemm/transposed_gemm.hpp"

namespace hwsim::proposals {
namespace {

class Combined final : public Proposal {
 public:
  std::string_view name() const override { return "combined"; }
  std::string_view title() const override { return "All compute proposals"; }
  std::string_view summary() const override {
    return "Fused cast + TMA, group-scaled MMA with FP32 accumulation, and transposed GEMM together.";
  }
  Level level() const override { return Level::kLayer; }
  std::vector<ConfigOverlay> spec_delta() const override {
    return {proposal_spec_delta("fused_cast_tma"), proposal_spec_delta("group_scaled_mma"),
            proposal_spec_delta("accumulation_precision"), proposal_spec_delta("transposed_gemm")};
  }
  void rewrite(std::vector<StudyKernel>& kernels) const override {
    apply_transposed_gemm(kernels);
    apply_fused_cast(kernels);
    apply_group_scaling(kernels);
  }
  std::vector<SensitivityParam> sensitivity() const override { return {}; }
};

}  // namespace

std::unique_ptr<Proposal> make_combined() { return std::make_unique<Combined>(); }

}  // namespace hwsim::proposals
