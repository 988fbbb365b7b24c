#pragma once
// A GPU as the Python package names it: a preset or YAML file, --set
// overrides, and the proposals whose spec deltas apply (before the
// overrides, as `hwsim study` applies them).
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"

namespace hwsim::python {

struct GpuRequest {
  std::string name;
  std::vector<std::string> overrides;  // "key=value", as --set
  std::vector<std::string> proposals;  // hw_proposals/ folder names
};

HardwareSpec load_gpu_request(const GpuRequest& g);  // throws hwsim::Error naming the key or proposal

}  // namespace hwsim::python
