#pragma once
// Data-flow models of DeepEP-style expert-parallel communication kernels
// (DeepSeek-V3 report 3.2.2; DeepEP V1 csrc/kernels/{internode,intranode,
// internode_ll}.cu): which bytes cross which links, how the SMs given to the
// kernel limit it, and what it takes from concurrent compute.
//
// Normal internode dispatch: a token goes once over IB to each node it
// targets (to the GPU with the sender's in-node index), and is forwarded
// there over NVLink once to each GPU hosting one of its experts. Combine is
// the reverse in BF16, with partial sums reduced on the forwarding GPU before
// IB. Warp roles (V3 3.2.2): IB sending and NVLink receiving on one SM of a
// channel, forwarding on the other; a channel is 2 SMs (DeepEP: num_channels
// = num_sms / 2).
//
// SM limit (docs/multigpu.md): every byte a role moves is a load-store copy
// by that role's SM at sm.peer_copy_GBps, so a role's time is its bytes over
// (channels x per-SM rate). With the default 20 SMs the links bound; with few
// SMs the SMs do, and time scales as 1 / SMs.
//
// Low-latency kernels (decode): one RDMA write per (token, expert), no
// forwarding through SMs, and no SMs held while the RDMA is in flight (IBGDA
// with a receive hook; DeepEP README, ISCA 2025 5.2.3).
#include "models/spec/hardware_spec.hpp"
#include "workloads/comm/comm_kernel.hpp"
#include "workloads/comm/payload.hpp"
#include "workloads/comm/routing.hpp"

namespace hwsim::comm {

struct DeepEpConfig {
  int num_sms = 20;            // DeepEP Buffer.num_sms default; V3 3.2.2 "20 SMs"; must be even
  int rdma_chunk_tokens = 28;  // DeepEP buffer.py get_dispatch_config(64): RDMA chunked send tokens
  int nvl_chunk_tokens = 20;   // ... NVLink chunked send tokens
  bool explicit_flows = false; // force explicit max-min even for balanced routing
  // Forwarding and buffer copies done by SMs (baseline). A proposal model may
  // move them to a co-processor (workloads/comm/proposals.hpp).
  double sm_copy_GBps_override = 0;  // 0: sm.peer_copy_GBps of the GPU
};

CommKernelResult internode_dispatch(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                                    const DeepEpConfig& config);
CommKernelResult internode_combine(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                                   const DeepEpConfig& config);
// EP within one node (ep == gpus_per_node): NVLink only.
CommKernelResult intranode_dispatch(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                                    const DeepEpConfig& config);
CommKernelResult intranode_combine(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                                   const DeepEpConfig& config);
// Low-latency kernels; traffic crossing planes goes IB then NVLink (ISCA 2025
// 5.1: a ConnectX-7 cannot reach another plane).
CommKernelResult low_latency_dispatch(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload);
CommKernelResult low_latency_combine(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload);

}  // namespace hwsim::comm
