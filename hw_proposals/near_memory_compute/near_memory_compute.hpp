#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

void apply_near_memory_cast(std::vector<StudyKernel>& kernels);
std::unique_ptr<Proposal> make_near_memory_compute();

}  // namespace hwsim::proposals
