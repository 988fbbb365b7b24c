#pragma once
// The spec_delta.yaml of each proposal folder, compiled into hwsim.
#include <string_view>

#include "sim/config/gpu_loader.hpp"

namespace hwsim::proposals {

// Throws hwsim::Error when the proposal has no spec_delta.yaml.
ConfigOverlay proposal_spec_delta(std::string_view proposal);

}  // namespace hwsim::proposals
