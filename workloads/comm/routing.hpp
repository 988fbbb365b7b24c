#pragma once
// Where the tokens of an expert-parallel group go: DeepSeek-V3's node-limited
// routing (each token to at most topk_group nodes, chosen by group, then the
// top num_experts_per_tok experts inside the chosen groups; V3 2.1.2, 4.2;
// config.json n_group 8, topk_group 4), sampled token by token with an
// explicit seed, aggregated into the per-GPU-pair counts that communication
// kernels move.
//
// Balanced routing draws every expert with equal weight (the profile DeepSeek
// published simulates balanced routing: PROF README); skewed routing gives
// experts lognormal popularities (sigma given), so some GPUs receive more.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "workloads/comm/moe_shape.hpp"

namespace hwsim::comm {

struct RoutingOptions {
  int ep = 64;  // GPUs in the expert-parallel group (V3 3.2)
  int gpus_per_node = 8;
  int tokens_per_gpu = 4096;  // one 4K sequence per micro-batch (V3 4.2)
  int groups = 8;             // n_group
  int groups_per_token = 4;   // topk_group: nodes a token may reach (V3 2.1.2)
  bool skewed = false;
  double skew_sigma = 0.5;
  std::uint64_t seed = 1;
};

// Counts over the EP group; matrices are row-major [src * ep + dst] or
// [src * nodes + node].
struct EpRouting {
  RoutingOptions options;
  int experts = 0;
  int experts_per_token = 0;
  int nodes = 0;
  std::vector<double> node_tokens;    // tokens of src reaching node (own node included)
  std::vector<double> gpu_tokens;     // tokens of src delivered to dst (once per GPU)
  std::vector<double> pair_experts;   // (token, expert) pairs of src on dst
  std::vector<double> expert_tokens;  // tokens each expert receives

  int ep() const { return options.ep; }
  double node_count(int src, int node) const { return node_tokens[static_cast<size_t>(src * nodes + node)]; }
  double gpu_count(int src, int dst) const { return gpu_tokens[static_cast<size_t>(src * ep() + dst)]; }
  double expert_pairs(int src, int dst) const { return pair_experts[static_cast<size_t>(src * ep() + dst)]; }
};

// Throws hwsim::Error when the EP group does not divide the experts, the
// groups or the nodes, or a token could not reach its experts.
EpRouting sample_routing(const MoeShape& shape, const RoutingOptions& options);

// Routings sampled once and kept, for callers that simulate many steps with
// the same routing (a study's baseline, proposals and sweep points): sampling
// 64 x 4,096 tokens is most of a step's cost once its kernels are known.
// Contract: get() returns what sample_routing() would, bit for bit.
class RoutingSamples {
 public:
  const EpRouting& get(const MoeShape& shape, const RoutingOptions& options);

 private:
  std::map<std::string, EpRouting> samples_;  // by every input of sample_routing
};

}  // namespace hwsim::comm
