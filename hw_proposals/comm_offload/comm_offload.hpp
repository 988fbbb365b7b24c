#pragma once
#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {

std::unique_ptr<Proposal> make_comm_offload_proposal();

}  // namespace hwsim::proposals
