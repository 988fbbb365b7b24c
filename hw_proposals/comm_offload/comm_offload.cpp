// Communication co-processor (DeepSeek-V3 3.5.1; ISCA 2025 4.4.2): an engine
// on the GPU or the NIC does what DeepEP's SMs do during the EP all-to-all
// (forward IB arrivals over NVLink, copy between RDMA and user buffers,
// reduce the combine's partial sums, manage the chunk layout), so the 20 SMs
// DeepEP holds return to compute. A step-level proposal: the all-to-all's
// own time barely changes, the gain is compute running on all SMs while it
// overlaps (docs/proposals.md).
#include "hw_proposals/comm_offload/comm_offload.hpp"

#include "hw_proposals/proposal_assets.hpp"
#include "workloads/comm/comm_offload.hpp"

namespace hwsim::proposals {
namespace {

class CommOffloadProposal final : public Proposal {
 public:
  std::string_view name() const override { return "comm_offload"; }
  std::string_view title() const override { return "Communication co-processor"; }
  std::string_view summary() const override {
    return "A co-processor does the all-to-all's forwarding between IB and NVLink, RDMA-buffer copies and combine "
           "reductions, so the 20 SMs DeepEP holds return to compute.";
  }
  Level level() const override { return Level::kStep; }
  std::vector<ConfigOverlay> spec_delta() const override { return {proposal_spec_delta("comm_offload")}; }
  std::unique_ptr<comm::EpComm> ep_comm(const HardwareSpec& spec) const override {
    return comm::make_comm_offload(comm::CommOffloadParams::from_spec(spec));
  }
  std::vector<SensitivityParam> sensitivity() const override {
    return {
        {"comm_coprocessor.throughput_GBps",
         "GB/s",
         "bytes per second the co-processor copies, all roles together",
         {10, 50, 100, 200, 400, 800}},
        {"comm_coprocessor.latency_us", "us", "command latency of the co-processor, once per kernel", {1, 2.5, 5, 10}}};
  }
};

}  // namespace

std::unique_ptr<Proposal> make_comm_offload_proposal() { return std::make_unique<CommOffloadProposal>(); }

}  // namespace hwsim::proposals
