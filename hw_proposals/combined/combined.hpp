#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

std::unique_ptr<Proposal> make_combined();

}  // namespace hwsim::proposals
