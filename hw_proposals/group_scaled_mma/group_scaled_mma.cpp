// Group-scaled MMA (DeepSeek-V3 3.5.2, "tile- and block-wise quantization"):
// tensor cores take the 1x128 / 128x128 scales and accumulate in full
// precision, so the promotion of partial sums to FP32 on the CUDA cores every
// 128 of K (and its register traffic) disappears from every block-scaled GEMM.
#include "hw_proposals/group_scaled_mma/group_scaled_mma.hpp"

namespace hwsim::proposals {

void apply_group_scaling(std::vector<StudyKernel>& kernels) {
  for (auto& k : kernels) {
    if (k.change == Change::kRemoved || !is_gemm(k)) continue;
    if (!k.kernel.params.value("scaling", "none").starts_with("block_")) continue;  // both block scalings
    set_param(k, "promotion", "tensor_core", "scales applied inside the tensor core; no CUDA-core promotion");
  }
}

// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "group_scaled_mma",
     .title = "Group-scaled MMA",
     .summary = "Tensor cores apply the per-group scales and keep the partial sums, so block-scaled FP8 GEMMs no "
                "longer copy them to CUDA cores every 128 of K for scaling and FP32 accumulation.",
     .rewrite = apply_group_scaling,
     .sensitivity = {sweep("tensor_core.group_scale_cycles", "cycles",
                           "tensor-pipe cycles per wgmma to apply the group scales", {0, 4, 8, 16, 32})}}};

}  // namespace hwsim::proposals
