#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

std::unique_ptr<Proposal> make_accumulation_precision();

}  // namespace hwsim::proposals
