#pragma once
// Proposal `comm_offload` (V3 3.5.1; ISCA 2025 4.4.2 item 2): a GPU or
// network co-processor does the IB<->NVLink forwarding, the RDMA-buffer
// copies, the combine reductions and the layout management, so the SMs that
// DeepEP holds return to compute. The data still crosses the same links.
//
// The co-processor is hardware described by the GPU description's
// `comm_coprocessor` section (absent on every real GPU; the proposal's spec
// delta, hw_proposals/comm_offload/spec_delta.yaml, switches it on and says
// why its default rate and latency were chosen).
//
// Contract: dispatch and combine refuse a GPU whose description has no
// co-processor (comm_coprocessor.present false), naming the key.
#include <memory>

#include "workloads/comm/ep_comm.hpp"

namespace hwsim::comm {

struct CommOffloadParams {
  double coprocessor_GBps = 0;        // comm_coprocessor.throughput_GBps, all roles together
  double coprocessor_latency_us = 0;  // comm_coprocessor.latency_us, once per kernel
  DeepEpConfig chunking;              // chunk sizes as DeepEP's; num_sms is unused

  // From `spec.comm_coprocessor`; throws hwsim::Error naming
  // comm_coprocessor.present when the GPU has no co-processor.
  static CommOffloadParams from_spec(const HardwareSpec& spec);
};

std::unique_ptr<EpComm> make_comm_offload(const CommOffloadParams& params);

}  // namespace hwsim::comm
