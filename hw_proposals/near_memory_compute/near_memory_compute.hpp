#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_near_memory_cast(std::vector<StudyKernel>& kernels);

}  // namespace hwsim::proposals
