// MoE token routing over an expert-parallel group (workloads/comm/routing):
// every token reaches exactly experts_per_token distinct experts within at
// most topk_group groups (nodes), the counts agree with each other, balanced
// routing loads the experts equally (within stated sampling tolerances),
// skewed routing does not, the seed fixes the sample, and bad options are
// errors that name them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "models/spec/error.hpp"
#include "workloads/comm/routing.hpp"
#include "workloads/deepseek_v3/model_shape.hpp"

using namespace hwsim;
using namespace hwsim::comm;

namespace {

const MoeShape& moe_shape() {
  static const MoeShape s = deepseek_v3::published_shape().moe();
  return s;
}

RoutingOptions options(int ep, int tokens, std::uint64_t seed = 1) {
  RoutingOptions o = deepseek_v3::published_routing_options();
  o.ep = ep;
  o.tokens_per_gpu = tokens;
  o.seed = seed;
  return o;
}

double sum(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); }

// Coefficient of variation of the per-expert loads.
double cv(const std::vector<double>& v) {
  const double mean = sum(v) / static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return std::sqrt(var / static_cast<double>(v.size())) / mean;
}

// Every count of `r` agrees with every other and with tokens x top-k.
void check_conservation(const EpRouting& r) {
  const int ep = r.ep(), k = r.experts_per_token, tokens = r.options.tokens_per_gpu;
  const int experts_per_gpu = r.experts / ep, gpn = r.options.gpus_per_node;
  CHECK(sum(r.expert_tokens) == static_cast<double>(ep) * tokens * k);
  std::vector<double> received(static_cast<size_t>(ep), 0.0);
  int bad_pairs = 0, bad_nodes = 0;  // (src, dst) and (src, node) entries breaking the bounds
  for (int s = 0; s < ep; ++s) {
    double pairs = 0, gpus = 0, nodes = 0;
    for (int d = 0; d < ep; ++d) {
      pairs += r.expert_pairs(s, d);
      gpus += r.gpu_count(s, d);
      received[static_cast<size_t>(d)] += r.expert_pairs(s, d);
      // A token delivered to a GPU brings 1..min(k, experts there) of its experts.
      bad_pairs += r.gpu_count(s, d) > r.expert_pairs(s, d) ||
                   r.expert_pairs(s, d) > std::min(k, experts_per_gpu) * r.gpu_count(s, d) ||
                   r.gpu_count(s, d) > tokens;
    }
    for (int n = 0; n < r.nodes; ++n) {
      nodes += r.node_count(s, n);
      double in_node = 0;
      for (int d = n * gpn; d < (n + 1) * gpn; ++d) in_node += r.gpu_count(s, d);
      // A token reaching a node reaches 1..gpus_per_node of its GPUs.
      bad_nodes += in_node < r.node_count(s, n) || in_node > gpn * r.node_count(s, n) || r.node_count(s, n) > tokens;
    }
    CHECK(pairs == static_cast<double>(tokens) * k);  // every token to exactly k experts
    CHECK(gpus >= tokens);
    CHECK(gpus <= static_cast<double>(tokens) * k);
    CHECK(nodes >= tokens);
    CHECK(nodes <= static_cast<double>(tokens) * r.options.groups_per_token);
  }
  CHECK(bad_pairs == 0);
  CHECK(bad_nodes == 0);
  // What the GPUs receive is what their experts receive.
  for (int d = 0; d < ep; ++d) {
    double experts = 0;
    for (int e = d * experts_per_gpu; e < (d + 1) * experts_per_gpu; ++e)
      experts += r.expert_tokens[static_cast<size_t>(e)];
    CHECK(received[static_cast<size_t>(d)] == experts);
  }
}

}  // namespace

TEST_CASE("routing: published options and the shape of the result", "[routing]") {
  const RoutingOptions p = deepseek_v3::published_routing_options();
  CHECK(p.groups == 8);            // n_group
  CHECK(p.groups_per_token == 4);  // topk_group
  REQUIRE(moe_shape().routed_experts == 256);
  REQUIRE(moe_shape().experts_per_token == 8);
  const EpRouting r = sample_routing(moe_shape(), options(32, 16));
  CHECK(r.experts == 256);
  CHECK(r.experts_per_token == 8);
  CHECK(r.nodes == 4);
  CHECK(r.ep() == 32);
  CHECK(r.node_tokens.size() == 32u * 4);
  CHECK(r.gpu_tokens.size() == 32u * 32);
  CHECK(r.pair_experts.size() == 32u * 32);
  CHECK(r.expert_tokens.size() == 256u);
}

TEST_CASE("routing: tokens are conserved, balanced and skewed, on EP64 and EP32", "[routing]") {
  for (int ep : {64, 32}) {
    for (bool skewed : {false, true}) {
      INFO("ep " << ep << (skewed ? " skewed" : " balanced"));
      RoutingOptions o = options(ep, 256, 7);
      o.skewed = skewed;
      check_conservation(sample_routing(moe_shape(), o));
    }
  }
}

TEST_CASE("routing: node-limited, each token reaches at most topk_group nodes", "[routing]") {
  // One token per GPU: each source's node count is that one token's.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const EpRouting r = sample_routing(moe_shape(), options(64, 1, seed));
    REQUIRE(r.nodes == 8);  // one group of 32 experts per node
    for (int s = 0; s < 64; ++s) {
      double nodes = 0, gpus = 0;
      for (int n = 0; n < 8; ++n) nodes += r.node_count(s, n);
      for (int d = 0; d < 64; ++d) gpus += r.gpu_count(s, d);
      CHECK(nodes >= 1);
      CHECK(nodes <= 4);
      CHECK(gpus <= 8);
    }
  }
  // topk_group = 1: every token stays within one node (8 of its 32 experts).
  RoutingOptions one = options(64, 512);
  one.groups_per_token = 1;
  const EpRouting r1 = sample_routing(moe_shape(), one);
  check_conservation(r1);
  for (int s = 0; s < 64; ++s) {
    double nodes = 0;
    for (int n = 0; n < 8; ++n) nodes += r1.node_count(s, n);
    CHECK(nodes == 512);
  }
  // topk_group = n_group: no limit, tokens reach more nodes on average than with 4.
  RoutingOptions all = options(64, 512);
  all.groups_per_token = all.groups;
  const EpRouting r8 = sample_routing(moe_shape(), all), r4 = sample_routing(moe_shape(), options(64, 512));
  CHECK(sum(r8.node_tokens) > sum(r4.node_tokens));
  CHECK(sum(r4.node_tokens) > sum(r1.node_tokens));
}

TEST_CASE("routing: one expert per token reaches exactly one GPU and one node", "[routing]") {
  MoeShape top1 = moe_shape();
  top1.experts_per_token = 1;
  const EpRouting r = sample_routing(top1, options(64, 300));
  check_conservation(r);
  for (int s = 0; s < 64; ++s) {
    double gpus = 0, nodes = 0;
    for (int d = 0; d < 64; ++d) gpus += r.gpu_count(s, d);
    for (int n = 0; n < 8; ++n) nodes += r.node_count(s, n);
    CHECK(gpus == 300);
    CHECK(nodes == 300);
  }
}

TEST_CASE("routing: balanced routing loads experts and GPUs equally, within sampling noise", "[routing]") {
  // EP64 x 4,096 tokens x 8 experts: 8,192 per expert and 32,768 per GPU on
  // average. Sampling noise is about 1.1% (sqrt(8192) / 8192) per expert and
  // 0.6% per GPU; the tolerances are 5% and 2.5% (over 4 standard deviations).
  const EpRouting r = sample_routing(moe_shape(), options(64, 4096));
  const double per_expert = 64.0 * 4096 * 8 / 256;
  for (double x : r.expert_tokens) CHECK(std::abs(x / per_expert - 1) < 0.05);
  for (int d = 0; d < 64; ++d) {
    double received = 0;
    for (int s = 0; s < 64; ++s) received += r.expert_pairs(s, d);
    CHECK(std::abs(received / (4 * per_expert) - 1) < 0.025);
  }
  // Every node receives the same share of each source's tokens (4,096 x the
  // mean nodes per token / 8; 8% tolerance on counts of about 1,900).
  double mean_node = sum(r.node_tokens) / static_cast<double>(r.node_tokens.size());
  for (double x : r.node_tokens) CHECK(std::abs(x / mean_node - 1) < 0.08);
  CHECK(cv(r.expert_tokens) < 0.02);
}

TEST_CASE("routing: skewed routing loads experts unequally, more so with a larger sigma", "[routing]") {
  RoutingOptions o = options(64, 1024);
  o.skewed = true;
  o.skew_sigma = 0.5;
  const EpRouting half = sample_routing(moe_shape(), o);
  o.skew_sigma = 1.0;
  const EpRouting one = sample_routing(moe_shape(), o);
  const EpRouting balanced = sample_routing(moe_shape(), options(64, 1024));
  check_conservation(half);
  check_conservation(one);
  // Lognormal popularity with sigma 0.5 has a CV of 0.53; routing inside the
  // chosen groups damps it, but it stays far above the balanced noise.
  CHECK(cv(balanced.expert_tokens) < 0.05);
  CHECK(cv(half.expert_tokens) > 0.2);
  CHECK(cv(one.expert_tokens) > cv(half.expert_tokens));
  const auto max_of = [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); };
  CHECK(max_of(one.expert_tokens) > max_of(half.expert_tokens));
  CHECK(max_of(half.expert_tokens) > 1.3 * max_of(balanced.expert_tokens));
  // sigma 0: every popularity is exp(0) = 1, i.e. balanced again.
  o.skew_sigma = 0.0;
  CHECK(cv(sample_routing(moe_shape(), o).expert_tokens) < 0.05);
}

TEST_CASE("routing: the same seed gives the same sample, another seed another", "[routing]") {
  for (bool skewed : {false, true}) {
    INFO((skewed ? "skewed" : "balanced"));
    RoutingOptions o = options(64, 128, 42);
    o.skewed = skewed;
    const EpRouting a = sample_routing(moe_shape(), o), b = sample_routing(moe_shape(), o);
    CHECK(a.expert_tokens == b.expert_tokens);
    CHECK(a.gpu_tokens == b.gpu_tokens);
    CHECK(a.node_tokens == b.node_tokens);
    CHECK(a.pair_experts == b.pair_experts);
    o.seed = 43;
    const EpRouting c = sample_routing(moe_shape(), o);
    CHECK(c.expert_tokens != a.expert_tokens);
    CHECK(c.pair_experts != a.pair_experts);
    CHECK(sum(c.expert_tokens) == sum(a.expert_tokens));  // same totals all the same
  }
  // Skewed: the seed also draws the popularities, so the busiest expert moves.
  RoutingOptions o = options(64, 1024, 1);
  o.skewed = true;
  o.skew_sigma = 1.0;
  const EpRouting s1 = sample_routing(moe_shape(), o);
  o.seed = 2;
  const EpRouting s2 = sample_routing(moe_shape(), o);
  const auto argmax = [](const std::vector<double>& v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
  CHECK(argmax(s1.expert_tokens) != argmax(s2.expert_tokens));
}

TEST_CASE("routing: options that cannot be routed are errors naming them", "[routing]") {
  RoutingOptions o = options(12, 16);
  CHECK_THROWS_AS(sample_routing(moe_shape(), o), Error);
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("ep = 12"));
  o = options(0, 16);
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("ep = 0"));
  o = options(4, 16);  // divides 256 but is not a multiple of 8 GPUs per node
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("multiple of 8 GPUs per node"));
  o = options(64, 16);
  o.groups = 7;
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("n_group = 7"));
  o = options(64, 0);
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("tokens_per_gpu = 0"));
  o = options(64, 16);
  o.groups_per_token = 9;
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("topk_group = 9"));
  o.groups_per_token = 0;
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("topk_group = 0"));
  // 64 groups of 4 experts, one group per token: 8 experts cannot be found.
  o = options(64, 16);
  o.groups = 64;
  o.groups_per_token = 1;
  CHECK_THROWS_WITH(sample_routing(moe_shape(), o), Catch::Contains("num_experts_per_tok exceeds"));
  o.groups_per_token = 2;  // 8 experts in 2 groups of 4: exactly enough
  const EpRouting r = sample_routing(moe_shape(), o);
  check_conservation(r);
}
