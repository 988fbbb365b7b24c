#include "models/interconnect/cluster.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"

namespace hwsim::interconnect {

ClusterParams ClusterParams::from_spec(const HardwareSpec& spec, int gpus) {
  const int per_node = spec.fabric.gpus_per_node;
  if (gpus <= 0 || gpus % per_node != 0) {
    throw Error(
        fmt::format("cluster of {} GPUs: must be a positive multiple of fabric.gpus_per_node = {}", gpus, per_node));
  }
  if (spec.fabric.planes != per_node * spec.nic.per_gpu) {
    throw Error(
        fmt::format("{}: fabric.planes = {} must equal fabric.gpus_per_node x nic.per_gpu = {} (one plane per "
                    "NIC of a node, ISCA 2025 5.1)",
                    spec.name, spec.fabric.planes, per_node * spec.nic.per_gpu));
  }
  ClusterParams p;
  p.nodes = gpus / per_node;
  p.gpus_per_node = per_node;
  p.planes = spec.fabric.planes;
  p.switch_ports = spec.fabric.switch_ports;
  p.nvlink_Bps = spec.nvlink.achieved_unidir_GBps * 1e9;
  p.nvlink_latency_s = spec.nvlink.latency_us * 1e-6;
  p.nic_Bps = spec.nic.effective_GBps * 1e9;
  p.nic_line_Bps = spec.nic.line_rate_Gbps * 1e9 / 8;
  p.nic_latency_s = spec.nic.latency_us * 1e-6;
  p.cross_leaf_latency_s = spec.fabric.cross_leaf_latency_us * 1e-6;
  p.nic_message_s = spec.nic.message_overhead_ns * 1e-9;
  return p;
}

std::string to_string(LinkKind k) {
  switch (k) {
    case LinkKind::kNvlinkOut:
      return "nvlink_out";
    case LinkKind::kNvlinkIn:
      return "nvlink_in";
    case LinkKind::kNicOut:
      return "nic_out";
    case LinkKind::kNicIn:
      return "nic_in";
    case LinkKind::kLeafUp:
      return "leaf_up";
    case LinkKind::kSpineDown:
      return "spine_down";
  }
  return "?";
}

Cluster::Cluster(const ClusterParams& params) : params_(params) {
  if (params_.nodes <= 0 || params_.gpus_per_node <= 0 || params_.switch_ports < 2) {
    throw Error("cluster: nodes, gpus_per_node must be > 0 and switch_ports >= 2");
  }
  const int down = params_.switch_ports / 2;
  const int max_nics = params_.switch_ports * down;  // spines x ports, each leaf `down` NICs
  if (params_.nodes > max_nics) {
    throw Error(fmt::format("cluster: {} nodes exceed a two-layer fat-tree plane of {}-port switches ({} NICs)",
                            params_.nodes, params_.switch_ports, max_nics));
  }
  leaves_ = (params_.nodes + down - 1) / down;
  // Spines: enough ports for every leaf's uplinks; a single leaf needs none.
  spines_ = leaves_ == 1 ? 0 : (leaves_ * down + params_.switch_ports - 1) / params_.switch_ports;
  for (int g = 0; g < gpus(); ++g) {
    capacity_.insert(capacity_.end(), {params_.nvlink_Bps, params_.nvlink_Bps, params_.nic_Bps, params_.nic_Bps});
    kind_.insert(kind_.end(), {LinkKind::kNvlinkOut, LinkKind::kNvlinkIn, LinkKind::kNicOut, LinkKind::kNicIn});
  }
  fabric_base_ = static_cast<int>(capacity_.size());
  if (spines_ > 0) {
    // Each leaf splits its `down` uplinks evenly over the spines.
    const double trunk = params_.nic_line_Bps * down / spines_;
    for (int p = 0; p < params_.planes; ++p) {
      for (int l = 0; l < leaves_; ++l) {
        for (int s = 0; s < spines_; ++s) {
          capacity_.insert(capacity_.end(), {trunk, trunk});
          kind_.insert(kind_.end(), {LinkKind::kLeafUp, LinkKind::kSpineDown});
        }
      }
    }
  }
}

std::vector<int> Cluster::path(int src, int dst) const {
  if (src < 0 || dst < 0 || src >= gpus() || dst >= gpus() || src == dst) {
    throw Error(fmt::format("cluster path {} -> {}: GPUs must be distinct and in 0..{}", src, dst, gpus() - 1));
  }
  if (node_of(src) == node_of(dst)) return {4 * src, 4 * dst + 1};
  if (local_of(src) != local_of(dst)) {
    throw Error(
        fmt::format("cluster path {} -> {}: different nodes and in-node indices share no plane; "
                    "forward over NVLink first (rail_path)",
                    src, dst));
  }
  const int plane = local_of(src);
  const int ls = leaf_of_node(node_of(src)), ld = leaf_of_node(node_of(dst));
  if (ls == ld) return {nic_out(src), nic_in(dst)};
  const int spine = (node_of(src) + node_of(dst)) % spines_;
  const int up = fabric_base_ + 2 * ((plane * leaves_ + ls) * spines_ + spine);
  const int down = fabric_base_ + 2 * ((plane * leaves_ + ld) * spines_ + spine) + 1;
  return {nic_out(src), up, down, nic_in(dst)};
}

std::vector<int> Cluster::rail_path(int src, int dst) const {
  if (node_of(src) == node_of(dst) || local_of(src) == local_of(dst)) return path(src, dst);
  const int relay = gpu(node_of(dst), local_of(src));
  std::vector<int> p = path(src, relay);
  const std::vector<int> q = path(relay, dst);
  p.insert(p.end(), q.begin(), q.end());
  return p;
}

double Cluster::latency_s(int src, int dst) const {
  if (node_of(src) == node_of(dst)) return params_.nvlink_latency_s;
  const bool same_leaf = leaf_of_node(node_of(src)) == leaf_of_node(node_of(dst));
  const double ib = same_leaf ? params_.nic_latency_s : params_.cross_leaf_latency_s;
  return local_of(src) == local_of(dst) ? ib : ib + params_.nvlink_latency_s;
}

}  // namespace hwsim::interconnect
