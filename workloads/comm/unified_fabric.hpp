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
//
// The adapter is hardware described by the GPU description's
// `nic.unified_scaleup_scaleout` and `nic.adapter_latency_us` (off on every
// real GPU; hw_proposals/unified_scaleup_scaleout/spec_delta.yaml switches it
// on).
//
// Contract: dispatch and combine refuse a GPU whose description has no
// unified adapter, naming the key.
#include <memory>

#include "workloads/comm/ep_comm.hpp"

namespace hwsim::comm {

struct UnifiedFabricParams {
  double adapter_latency_us = 0;  // nic.adapter_latency_us: added by the adapter's forwarding hop
  DeepEpConfig chunking;

  // From `spec.nic`; throws hwsim::Error naming nic.unified_scaleup_scaleout
  // when the GPU has no unified adapter.
  static UnifiedFabricParams from_spec(const HardwareSpec& spec);
};

std::unique_ptr<EpComm> make_unified_scaleup_scaleout(const UnifiedFabricParams& params);

}  // namespace hwsim::comm
