#include "workloads/comm/collectives.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "models/interconnect/traffic.hpp"
#include "models/spec/error.hpp"

namespace hwsim::comm {

std::string to_string(Collective c) {
  switch (c) {
    case Collective::kAllReduce:
      return "all_reduce";
    case Collective::kReduceScatter:
      return "reduce_scatter";
    case Collective::kAllGather:
      return "all_gather";
  }
  return "?";
}

CommKernelResult ring_collective(const interconnect::Cluster& c, Collective kind, double bytes,
                                 const std::vector<int>& group, const CollectiveConfig& cfg) {
  const int n = static_cast<int>(group.size());
  if (n < 2 || !(bytes > 0)) {
    throw Error(
        fmt::format("{}: needs at least 2 GPUs and bytes > 0 (got {} GPUs, {} bytes)", to_string(kind), n, bytes));
  }
  // Members per node, nodes in ascending order.
  std::map<int, std::vector<int>> by_node;
  for (int g : group) {
    if (g < 0 || g >= c.gpus()) throw Error(fmt::format("{}: GPU {} is not in the cluster", to_string(kind), g));
    by_node[c.node_of(g)].push_back(g);
  }
  const size_t per = by_node.begin()->second.size();
  for (auto& [node, v] : by_node) {
    if (v.size() != per)
      throw Error(fmt::format("{}: every node must hold the same number of members", to_string(kind)));
    std::sort(v.begin(), v.end());
  }
  std::vector<std::vector<int>> nodes;
  for (auto& [node, v] : by_node) nodes.push_back(v);
  const int k = static_cast<int>(per), rings = nodes.size() > 1 ? k : 1;

  // Ring r enters node i at member (r - i) mod k and leaves at the member
  // before it, which is where it enters node i + 1: consecutive nodes meet at
  // equal in-node indices (one plane) when every node holds the same local
  // indices; the ring's closing edge is relayed over NVLink if it does not.
  const double chunk = bytes / n / rings;
  std::vector<interconnect::Transfer> step;
  for (int r = 0; r < rings; ++r) {
    std::vector<int> order;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const int shift = ((r - static_cast<int>(i)) % k + k) % k;
      for (int j = 0; j < k; ++j) order.push_back(nodes[i][static_cast<size_t>((shift + j) % k)]);
    }
    for (size_t i = 0; i < order.size(); ++i) {
      step.push_back({order[i], order[(i + 1) % order.size()], chunk, 1});
    }
  }
  const auto b = interconnect::bottleneck_time_s(c, step, interconnect::Route::kRail);
  const int steps = kind == Collective::kAllReduce ? 2 * (n - 1) : n - 1;
  CommKernelResult res;
  res.name = "nccl." + to_string(kind);
  res.time_s = steps * b.time_s;
  res.bound = b.link >= 0 ? interconnect::to_string(c.kind(b.link)) : "latency";
  res.sms_held = cfg.num_sms;
  const double per_gpu = steps * chunk * rings;
  // Each GPU leaves its node in exactly one ring (multi-node); its other
  // rings' edges are NVLink.
  res.ib_tx_bytes = nodes.size() > 1 ? steps * chunk : 0;
  res.nvlink_tx_bytes = per_gpu - res.ib_tx_bytes;
  res.hbm_read_bytes = per_gpu * (kind == Collective::kAllGather ? 1 : 2);  // reduce reads local + received
  res.hbm_write_bytes = per_gpu;
  res.reported_Bps = per_gpu / res.time_s;  // NCCL's bus bandwidth
  return res;
}

CommKernelResult send_recv(const interconnect::Cluster& c, int src, int dst, double bytes) {
  const std::vector<interconnect::Transfer> t = {{src, dst, bytes, 1}};
  const auto b = interconnect::bottleneck_time_s(c, t, interconnect::Route::kRail);
  CommKernelResult res;
  res.name = "p2p.send_recv";
  res.time_s = b.time_s;
  res.bound = interconnect::to_string(c.kind(b.link));
  res.ib_tx_bytes = c.node_of(src) != c.node_of(dst) ? bytes : 0;
  res.hbm_read_bytes = res.hbm_write_bytes = bytes;
  res.reported_Bps = bytes / res.time_s;
  return res;
}

}  // namespace hwsim::comm
