#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_transposed_gemm(std::vector<StudyKernel>& kernels);

}  // namespace hwsim::proposals
