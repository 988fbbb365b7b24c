#include "models/interconnect/traffic.hpp"

#include <algorithm>

namespace hwsim::interconnect {
namespace {

std::vector<int> route_links(const Cluster& c, const Transfer& t, Route r) {
  return r == Route::kRail ? c.rail_path(t.src, t.dst) : c.path(t.src, t.dst);
}

// The NIC is busy for message_s per message on top of the bytes: charged as
// extra bytes at the NIC rate so the flow model sees it as load.
double nic_equivalent_bytes(const Cluster& c, const Transfer& t) {
  const bool crosses_nodes = c.node_of(t.src) != c.node_of(t.dst);
  return crosses_nodes ? t.messages * c.params().nic_message_s * c.params().nic_Bps : 0.0;
}

}  // namespace

std::vector<double> link_bytes(const Cluster& cluster, std::span<const Transfer> transfers, Route route) {
  std::vector<double> load(static_cast<size_t>(cluster.links()), 0.0);
  for (const Transfer& t : transfers) {
    const double extra = nic_equivalent_bytes(cluster, t);
    for (int l : route_links(cluster, t, route)) load[static_cast<size_t>(l)] += t.bytes + extra;
  }
  return load;
}

FlowSimulation simulate_transfers(const Cluster& cluster, std::span<const Transfer> transfers, Route route) {
  std::vector<TimedFlow> flows;
  flows.reserve(transfers.size());
  for (const Transfer& t : transfers) {
    flows.push_back({route_links(cluster, t, route), t.bytes + nic_equivalent_bytes(cluster, t), 0.0,
                     cluster.latency_s(t.src, t.dst)});
  }
  return simulate_flows(cluster.capacities(), flows);
}

BottleneckTime bottleneck_time_s(const Cluster& cluster, std::span<const Transfer> transfers, Route route) {
  const std::vector<double> load = link_bytes(cluster, transfers, route);
  const std::vector<double>& cap = cluster.capacities();
  BottleneckTime b;
  double worst = 0;
  for (size_t l = 0; l < load.size(); ++l) {
    if (load[l] / cap[l] > worst) {
      worst = load[l] / cap[l];
      b.link = static_cast<int>(l);
      b.link_bytes = load[l];
    }
  }
  double latency = 0;
  for (const Transfer& t : transfers) latency = std::max(latency, cluster.latency_s(t.src, t.dst));
  b.time_s = worst + latency;
  return b;
}

}  // namespace hwsim::interconnect
