#include "workloads/comm/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>

#include "models/spec/error.hpp"

namespace hwsim::comm {
namespace {

// Uniform in [0, 1) from the top 53 bits: identical on every platform,
// unlike std::uniform_real_distribution.
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Weighted draw without replacement of `k` positions of `w` (zeroes the
// drawn weights; the caller passes a scratch copy).
void draw(std::vector<double>& w, int k, std::mt19937_64& rng, std::vector<int>& out) {
  out.clear();
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (int i = 0; i < k; ++i) {
    double x = uniform(rng) * total;
    size_t j = 0;
    for (; j + 1 < w.size(); ++j) {
      if (w[j] > 0 && x < w[j]) break;
      x -= w[j];
    }
    while (w[j] <= 0) --j;  // rounding at the end of the range
    out.push_back(static_cast<int>(j));
    total -= w[j];
    w[j] = 0;
  }
}

}  // namespace

EpRouting sample_routing(const MoeShape& shape, const RoutingOptions& o) {
  const int experts = shape.routed_experts;
  if (o.ep <= 0 || experts % o.ep != 0 || o.ep % o.gpus_per_node != 0 || experts % o.groups != 0) {
    throw Error(
        fmt::format("routing: ep = {} must divide the {} routed experts and be a multiple of {} GPUs per node, "
                    "and n_group = {} must divide the experts",
                    o.ep, experts, o.gpus_per_node, o.groups));
  }
  if (o.tokens_per_gpu <= 0 || o.groups_per_token <= 0 || o.groups_per_token > o.groups) {
    throw Error(fmt::format("routing: tokens_per_gpu = {} must be > 0 and topk_group = {} in 1..n_group = {}",
                            o.tokens_per_gpu, o.groups_per_token, o.groups));
  }
  const int per_group = experts / o.groups;
  if (shape.experts_per_token > o.groups_per_token * per_group) {
    throw Error("routing: num_experts_per_tok exceeds the experts of the chosen groups");
  }
  EpRouting r;
  r.options = o;
  r.experts = experts;
  r.experts_per_token = shape.experts_per_token;
  r.nodes = o.ep / o.gpus_per_node;
  const int ep = o.ep, experts_per_gpu = experts / ep;
  r.node_tokens.assign(static_cast<size_t>(ep * r.nodes), 0.0);
  r.gpu_tokens.assign(static_cast<size_t>(ep * ep), 0.0);
  r.pair_experts.assign(static_cast<size_t>(ep * ep), 0.0);
  r.expert_tokens.assign(static_cast<size_t>(experts), 0.0);

  std::mt19937_64 rng(o.seed);
  std::vector<double> popularity(static_cast<size_t>(experts), 1.0);
  if (o.skewed) {
    // Lognormal via Box-Muller on the platform-independent uniforms.
    for (double& p : popularity) {
      const double u1 = 1.0 - uniform(rng), u2 = uniform(rng);
      p = std::exp(o.skew_sigma * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2));
    }
  }
  std::vector<double> group_mass(static_cast<size_t>(o.groups), 0.0);
  for (int e = 0; e < experts; ++e)
    group_mass[static_cast<size_t>(e / per_group)] += popularity[static_cast<size_t>(e)];

  std::vector<double> w, gw;
  std::vector<int> groups, picked, candidates;
  std::vector<char> gpu_hit(static_cast<size_t>(ep)), node_hit(static_cast<size_t>(r.nodes));
  for (int src = 0; src < ep; ++src) {
    for (int t = 0; t < o.tokens_per_gpu; ++t) {
      gw = group_mass;
      draw(gw, o.groups_per_token, rng, groups);
      w.clear();
      candidates.clear();
      for (int g : groups) {
        for (int e = g * per_group; e < (g + 1) * per_group; ++e) {
          w.push_back(popularity[static_cast<size_t>(e)]);
          candidates.push_back(e);
        }
      }
      std::fill(gpu_hit.begin(), gpu_hit.end(), 0);
      std::fill(node_hit.begin(), node_hit.end(), 0);
      draw(w, shape.experts_per_token, rng, picked);
      for (int i : picked) {
        const int e = candidates[static_cast<size_t>(i)];
        const int dst = e / experts_per_gpu;
        r.expert_tokens[static_cast<size_t>(e)] += 1;
        r.pair_experts[static_cast<size_t>(src * ep + dst)] += 1;
        gpu_hit[static_cast<size_t>(dst)] = 1;
        node_hit[static_cast<size_t>(dst / o.gpus_per_node)] = 1;
      }
      for (int d = 0; d < ep; ++d) r.gpu_tokens[static_cast<size_t>(src * ep + d)] += gpu_hit[static_cast<size_t>(d)];
      for (int n = 0; n < r.nodes; ++n)
        r.node_tokens[static_cast<size_t>(src * r.nodes + n)] += node_hit[static_cast<size_t>(n)];
    }
  }
  return r;
}

const EpRouting& RoutingSamples::get(const MoeShape& shape, const RoutingOptions& o) {
  // Every field sample_routing() reads; the sigma to the last bit.
  const std::string key =
      fmt::format("{} {} {} {} {} {} {} {} {:a} {}", shape.routed_experts, shape.experts_per_token, o.ep,
                  o.gpus_per_node, o.tokens_per_gpu, o.groups, o.groups_per_token, o.skewed, o.skew_sigma, o.seed);
  auto it = samples_.find(key);
  if (it == samples_.end()) it = samples_.emplace(key, sample_routing(shape, o)).first;
  return it->second;
}

}  // namespace hwsim::comm
