#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_group_scaling(std::vector<StudyKernel>& kernels);

}  // namespace hwsim::proposals
