#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_group_scaling(std::vector<StudyKernel>& kernels);
std::unique_ptr<Proposal> make_group_scaled_mma();

}  // namespace hwsim::proposals
