// Unified scale-up/scale-out adapter (DeepSeek-V3 3.5.1; ISCA 2025 4.4.2): one
// network interface joins NVLink and IB and offers read, write, multicast and
// reduce across both, so a token arriving over IB goes on to the GPU of its
// expert without an SM forwarding it and without a store-and-forward through
// the relay GPU's memory. A step-level proposal, like comm_offload: the gain
// is the SMs returned to compute while the all-to-all overlaps it
// (docs/proposals.md).
#include "hw_proposals/unified_scaleup_scaleout/unified_scaleup_scaleout.hpp"

#include "hw_proposals/proposal_assets.hpp"
#include "workloads/comm/unified_fabric.hpp"

namespace hwsim::proposals {
namespace {

class UnifiedScaleupScaleout final : public Proposal {
 public:
  std::string_view name() const override { return "unified_scaleup_scaleout"; }
  std::string_view title() const override { return "Unified scale-up/scale-out adapter"; }
  std::string_view summary() const override {
    return "One adapter joins NVLink and IB with read, write, multicast and reduce, so IB arrivals reach the "
           "expert's GPU with no SM forwarding hop and no copy through the relay's memory, and no SMs are held.";
  }
  Level level() const override { return Level::kStep; }
  std::vector<ConfigOverlay> spec_delta() const override { return {proposal_spec_delta("unified_scaleup_scaleout")}; }
  std::unique_ptr<comm::EpComm> ep_comm(const HardwareSpec& spec) const override {
    return comm::make_unified_scaleup_scaleout(comm::UnifiedFabricParams::from_spec(spec));
  }
  std::vector<SensitivityParam> sensitivity() const override {
    return {{"nic.adapter_latency_us", "us", "extra latency of the adapter's forwarding hop", {0, 1, 2.5, 5, 10}}};
  }
};

}  // namespace

std::unique_ptr<Proposal> make_unified_scaleup_scaleout_proposal() {
  return std::make_unique<UnifiedScaleupScaleout>();
}

}  // namespace hwsim::proposals
