#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

// The rewrite, shared with the combined proposal.
void apply_fused_cast(std::vector<StudyKernel>& kernels);

}  // namespace hwsim::proposals
