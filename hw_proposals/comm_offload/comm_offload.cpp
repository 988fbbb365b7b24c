// Communication co-processor (DeepSeek-V3 3.5.1; ISCA 2025 4.4.2): an engine
// on the GPU or the NIC does what DeepEP's SMs do during the EP all-to-all
// (forward IB arrivals over NVLink, copy between RDMA and user buffers,
// reduce the combine's partial sums, manage the chunk layout), so the 20 SMs
// DeepEP holds return to compute. A step-level proposal: the all-to-all's
// own time barely changes, the gain is compute running on all SMs while it
// overlaps (docs/proposals.md).
#include "workloads/comm/comm_offload.hpp"

#include "hw_proposals/proposal.hpp"

namespace hwsim::proposals {
// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "comm_offload",
     .title = "Communication co-processor",
     .summary = "A co-processor does the all-to-all's forwarding between IB and NVLink, RDMA-buffer copies and combine "
                "reductions, so the 20 SMs DeepEP holds return to compute.",
     .level = Level::kStep,
     .ep_comm = ep_comm_from(comm::make_comm_offload),
     .sensitivity = {
         sweep("comm_coprocessor.throughput_GBps", "GB/s",
               "bytes per second the co-processor copies, all roles together", {10, 50, 100, 200, 400, 800}),
         sweep("comm_coprocessor.latency_us", "us", "command latency of the co-processor, once per kernel",
               {1, 2.5, 5, 10})}}};

}  // namespace hwsim::proposals
