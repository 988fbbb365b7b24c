#pragma once
// The H100 SXM description the unit tests share, loaded once per test program
// (one definition, so that test files can share a unity-build batch).
#include "sim/config/gpu_loader.hpp"

namespace hwsim::testing {

inline const HardwareSpec& h100() {
  static const HardwareSpec spec = load_gpu("h100-sxm");
  return spec;
}

}  // namespace hwsim::testing
