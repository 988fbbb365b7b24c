// Group-scaled MMA (DeepSeek-V3 3.5.2, "tile- and block-wise quantization"):
// tensor cores take the 1x128 / 128x128 scales and accumulate in full
// precision, so the promotion of partial sums to FP32 on the CUDA cores every
// 128 of K (and its register traffic) disappears from every block-scaled GEMM.
#include "hw_proposals/group_scaled_mma/group_scaled_mma.hpp"

#include "hw_proposals/proposal_assets.hpp"

namespace hwsim::proposals {

void apply_group_scaling(std::vector<StudyKernel>& kernels) {
  for (auto& k : kernels) {
    if (k.change == Change::kRemoved || k.kernel.kind != "gemm") continue;
    if (!k.kernel.params.value("scaling", "none").starts_with("block_")) continue;  // both block scalings
    set_param(k, "promotion", "tensor_core", "scales applied inside the tensor core; no CUDA-core promotion");
  }
}

namespace {

class GroupScaledMma final : public Proposal {
 public:
  std::string_view name() const override { return "group_scaled_mma"; }
  std::string_view title() const override { return "Group-scaled MMA"; }
  std::string_view summary() const override {
    return "Tensor cores apply the per-group scales and keep the partial sums, so block-scaled FP8 GEMMs no "
           "longer copy them to CUDA cores every 128 of K for scaling and FP32 accumulation.";
  }
  Level level() const override { return Level::kLayer; }
  std::vector<ConfigOverlay> spec_delta() const override { return {proposal_spec_delta("group_scaled_mma")}; }
  void rewrite(std::vector<StudyKernel>& kernels) const override { apply_group_scaling(kernels); }
  std::vector<SensitivityParam> sensitivity() const override {
    return {{"tensor_core.group_scale_cycles",
             "cycles",
             "tensor-pipe cycles per wgmma to apply the group scales",
             {0, 4, 8, 16, 32}}};
  }
};

}  // namespace

std::unique_ptr<Proposal> make_group_scaled_mma() { return std::make_unique<GroupScaledMma>(); }

}  // namespace hwsim::proposals
