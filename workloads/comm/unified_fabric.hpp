#pragma once
// Proposal `unified_scaleup_scaleout` (V3 3.5.1; ISCA 2025 4.4.2 items 1, 3):
// one interface with read / write / multicast / reduce across NVLink and IB.
// A dispatched chunk arriving over IB is forwarded to the expert's GPU by the
// network adapter (no SM forwarding hop, no store-and-forward through the
// relay's HBM); multicast sends one IB copy per node (as DeepEP already does
// in software); the combine's partial sums are reduced in the network.
//
// What changes in the model: no SMs held; no SM copy limit; pipeline fill
// without the relay's store-and-forward; relay HBM traffic removed. What does
// not: the bytes on IB and on each GPU's NVLink egress. In-network reduction
// lowers the relay's NVLink ingress, which under balanced routing is not the
// bottleneck (egress carries the same bytes), so the model does not credit it
// with time (docs/multigpu.md).
#include <memory>

#include "workloads/comm/ep_comm.hpp"

namespace hwsim::comm {

struct UnifiedFabricParams {
  // assumption: forwarding decision and hand-over inside a unified adapter,
  // of the order of one NVLink hop's latency (nvlink.latency_us is added by
  // the path anyway); default 0 extra.
  double adapter_latency_us = 0;
  DeepEpConfig chunking;
};

std::unique_ptr<EpComm> make_unified_scaleup_scaleout(const UnifiedFabricParams& params);

}  // namespace hwsim::comm
