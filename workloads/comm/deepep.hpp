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
#include <optional>

#include "models/spec/hardware_spec.hpp"
#include "workloads/comm/comm_kernel.hpp"
#include "workloads/comm/payload.hpp"
#include "workloads/comm/routing.hpp"

namespace hwsim::comm {

// Who does the forwarding, buffer copies and combine reductions. By default
// the kernel's SMs (channels x sm.peer_copy_GBps per role); a proposal model
// supplies its own (workloads/comm/comm_offload.hpp, unified_fabric.hpp).
struct CopyResource {
  double forward_Bps = 0;               // forwarding role throughput; 0 = no limit (done by the fabric)
  double send_recv_Bps = 0;             // sending + receiving roles; 0 = no limit
  int sms_held = 0;                     // SMs taken from compute
  double latency_s = 0;                 // added once per kernel (e.g. co-processor command latency)
  bool relay_store_and_forward = true;  // a chunk lands in the relay's HBM before NVLink
};

struct DeepEpConfig {
  int num_sms = 20;                  // DeepEP Buffer.num_sms default; V3 3.2.2 "20 SMs"; must be even
  int rdma_chunk_tokens = 28;        // DeepEP buffer.py get_dispatch_config(64): RDMA chunked send tokens
  int nvl_chunk_tokens = 20;         // ... NVLink chunked send tokens
  bool explicit_flows = false;       // force explicit max-min even for balanced routing
  std::optional<CopyResource> copy;  // absent: the SMs (baseline)
};

// The SM copy resource of a config: num_sms / 2 channels, each role on its
// own SM at sm.peer_copy_GBps.
CopyResource sm_copy_resource(const HardwareSpec& spec, const DeepEpConfig& config);

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
