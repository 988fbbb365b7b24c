#pragma once
// Traffic between GPUs of a Cluster, timed two ways:
// - explicitly: one flow per (src, dst) transfer, max-min fair rates re-solved
//   at every completion (simulate_transfers); needed when routing is skewed;
// - by the symmetry shortcut: when every transfer is equally large and the
//   links of each kind that carry traffic carry equal loads (balanced routing),
//   all flows share their bottleneck equally and finish together, so the time
//   is the heaviest link's bytes over its capacity plus the path latency
//   (bottleneck_time_s). That is exact for balanced traffic and a lower bound
//   otherwise; tests/models/interconnect holds both facts.
#include <span>
#include <vector>

#include "models/interconnect/cluster.hpp"
#include "models/interconnect/max_min.hpp"

namespace hwsim::interconnect {

struct Transfer {
  int src = 0;
  int dst = 0;
  double bytes = 0;
  int messages = 1;  // NIC messages it is split into (per-message NIC cost)
};

enum class Route { kDirect, kRail };  // kRail: IB to the same in-node index, then NVLink

std::vector<double> link_bytes(const Cluster& cluster, std::span<const Transfer> transfers, Route route);

FlowSimulation simulate_transfers(const Cluster& cluster, std::span<const Transfer> transfers, Route route);

struct BottleneckTime {
  double time_s = 0;
  int link = -1;  // the heaviest link relative to its capacity
  double link_bytes = 0;
};
BottleneckTime bottleneck_time_s(const Cluster& cluster, std::span<const Transfer> transfers, Route route);

}  // namespace hwsim::interconnect
