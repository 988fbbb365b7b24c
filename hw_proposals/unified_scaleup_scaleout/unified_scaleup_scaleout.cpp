// Unified scale-up/scale-out adapter (DeepSeek-V3 3.5.1; ISCA 2025 4.4.2): one
// network interface joins NVLink and IB and offers read, write, multicast and
// reduce across both, so a token arriving over IB goes on to the GPU of its
// expert without an SM forwarding it and without a store-and-forward through
// the relay GPU's memory. A step-level proposal, like comm_offload: the gain
// is the SMs returned to compute while the all-to-all overlaps it
// (docs/proposals.md).
#include "hw_proposals/proposal.hpp"
#include "workloads/comm/unified_fabric.hpp"

namespace hwsim::proposals {
// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "unified_scaleup_scaleout",
     .title = "Unified scale-up/scale-out adapter",
     .summary = "One adapter joins NVLink and IB with read, write, multicast and reduce, so IB arrivals reach the "
                "expert's GPU with no SM forwarding hop and no copy through the relay's memory, and no SMs are held.",
     .level = Level::kStep,
     .ep_comm = ep_comm_from(comm::make_unified_scaleup_scaleout),
     .sensitivity = {
         sweep("nic.adapter_latency_us", "us", "extra latency of the adapter's forwarding hop", {0, 1, 2.5, 5, 10})}}};

}  // namespace hwsim::proposals
