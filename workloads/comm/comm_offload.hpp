#pragma once
// Proposal `comm_offload` (V3 3.5.1; ISCA 2025 4.4.2 item 2): a GPU or
// network co-processor does the IB<->NVLink forwarding, the RDMA-buffer
// copies, the combine reductions and the layout management, so the SMs that
// DeepEP holds return to compute. The data still crosses the same links.
//
// Parameters (hypothetical hardware, no source; the study sweeps them):
// the co-processor's copy throughput per GPU and its per-kernel command
// latency. docs/multigpu.md lists the defaults' reasoning.
#include <memory>

#include "workloads/comm/ep_comm.hpp"

namespace hwsim::comm {

struct CommOffloadParams {
  // assumption: enough to forward NVLink ingress and egress at the H800's
  // achieved 160 GB/s each with the receive copies (>= 2 x 160 GB/s).
  double coprocessor_GBps = 400;
  // assumption: one command round trip to a co-processor on the GPU, of the
  // order of a kernel launch (launch.overhead_us = 2.5).
  double coprocessor_latency_us = 2.5;
  DeepEpConfig chunking;  // chunk sizes as DeepEP's; num_sms is unused
};

std::unique_ptr<EpComm> make_comm_offload(const CommOffloadParams& params);

}  // namespace hwsim::comm
