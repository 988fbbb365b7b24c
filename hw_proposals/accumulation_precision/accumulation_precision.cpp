// Higher FP8 accumulation precision (DeepSeek-V3 3.5.2; ISCA 2025 3.1.2): the
// tensor core keeps more accumulator bits (FP32, or a configurable width). In
// DeepSeek's recipe every FP8 GEMM is block-scaled, and block scales must
// still be applied every 128 of K on the CUDA cores unless the tensor core
// also applies them (group_scaled_mma): so the kernels do not change and the
// proposal buys accuracy, which the numerics model measures, not time.
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {
// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "accumulation_precision",
     .title = "FP32 accumulation in FP8 MMA",
     .summary = "The FP8 tensor-core accumulator keeps 23 fraction bits instead of Hopper's 13, removing the error "
                "that grows with K; block scales still need CUDA-core promotion, so GEMM time is unchanged.",
     .sensitivity = {sweep("tensor_core.fp8_accum_fraction_bits", "bits", "fraction bits the FP8 accumulator keeps",
                           {13, 16, 19, 23})}}};

}  // namespace hwsim::proposals
