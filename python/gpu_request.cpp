#include "python/gpu_request.hpp"

#include "hw_proposals/proposal.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::python {

HardwareSpec load_gpu_request(const GpuRequest& g) {
  std::vector<ConfigOverlay> overlays;
  for (const std::string& name : g.proposals) {
    for (ConfigOverlay& o : proposals::find_proposal(name)->spec_delta()) overlays.push_back(std::move(o));
  }
  return load_gpu(g.name, g.overrides, overlays);
}

}  // namespace hwsim::python
