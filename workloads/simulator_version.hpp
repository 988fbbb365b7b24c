#pragma once
// The simulator's version for the result cache: 16 hex digits of a SHA-256 over
// every source and data file under models/, sim/, workloads/ and hw_proposals/
// (whose folders register unit implementations), computed at
// build time (cmake/SimulatorVersion.cmake). Any change to the model changes
// it, so cached results are never served across simulator versions.
#include <string_view>

namespace hwsim {

std::string_view simulator_version();

}  // namespace hwsim
