#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_transposed_gemm(std::vector<StudyKernel>& kernels);
std::unique_ptr<Proposal> make_transposed_gemm();

}  // namespace hwsim::proposals
