#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

std::unique_ptr<Proposal> make_unified_scaleup_scaleout_proposal();

}  // namespace hwsim::proposals
