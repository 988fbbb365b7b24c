#pragma once
// NCCL-style ring collectives (all-reduce, reduce-scatter, all-gather) and
// pipeline point-to-point send/recv as data flows over the Cluster.
//
// Rings (docs/multigpu.md): a ring visits the GPUs of one node over NVLink,
// then crosses to the next node over IB between GPUs of equal in-node index
// (the only path a multi-plane fabric offers, ISCA 2025 5.1). One ring per
// in-node index is built, each exiting every node through a different GPU,
// so each NIC carries one ring's inter-node edge; the buffer is split evenly
// over the rings. A reduce-scatter or all-gather takes (n - 1) steps of
// buffer / n bytes per GPU; all-reduce is both. Each step's flows are timed
// by the flow model (shortcut: they are balanced) and pay the step latency.
#include <vector>

#include "models/interconnect/cluster.hpp"
#include "workloads/comm/comm_kernel.hpp"

namespace hwsim::comm {

enum class Collective { kAllReduce, kReduceScatter, kAllGather };
std::string to_string(Collective c);

struct CollectiveConfig {
  int num_sms = 8;  // SMs NCCL's ring kernel holds (one per channel); assumption, docs/multigpu.md
};

// `group`: the GPUs of the collective, as Cluster indices; nodes holding a
// member must hold the same number of members. `bytes`: the full buffer per
// GPU (all-reduce input; reduce-scatter input; all-gather output).
CommKernelResult ring_collective(const interconnect::Cluster& cluster, Collective kind, double bytes,
                                 const std::vector<int>& group, const CollectiveConfig& config = {});

// One pipeline-parallel activation transfer src -> dst.
CommKernelResult send_recv(const interconnect::Cluster& cluster, int src, int dst, double bytes);

}  // namespace hwsim::comm
