// All compute recommendations of DeepSeek-V3 3.5.2 together: the fused cast
// (with the warp-level cast), group-scaled MMA with full-precision
// accumulation, and the transposed GEMM. Near-memory casting is an
// alternative to the fused cast for the same kernels; once the fused cast has
// removed them it has nothing left to do, so it is not part of the sum.
#include "hw_proposals/fused_cast_tma/fused_cast_tma.hpp"
#include "hw_proposals/group_scaled_mma/group_scaled_mma.hpp"
#include "hw_proposals/proposal.hpp"
#include "hw_proposals/transposed_gemm/transposed_gemm.hpp"

namespace hwsim::proposals {
// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "combined",
     .title = "All compute proposals",
     .summary = "Fused cast + TMA, group-scaled MMA with FP32 accumulation, and transposed GEMM together.",
     .deltas = {"fused_cast_tma", "group_scaled_mma", "accumulation_precision", "transposed_gemm"},
     .rewrite = [](std::vector<StudyKernel>& kernels) {
       apply_transposed_gemm(kernels);
       apply_fused_cast(kernels);
       apply_group_scaling(kernels);
     }}};

}  // namespace hwsim::proposals
