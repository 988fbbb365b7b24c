#pragma once
// The cluster DeepSeek-V3 trained on, as links with capacities: per GPU one
// NVLink port pair into the node's NVSwitch fabric and one InfiniBand NIC
// (ConnectX-7) into its plane of the multi-plane two-layer fat-tree (ISCA 2025
// 5.1: plane i joins the NICs of every node's GPU i; 64-port leaf and spine
// switches). Everything comes from the GPU description (HardwareSpec), so the
// H800 and H100 differ only where their YAML differs (NVLink).
//
// Modelling choices (docs/multigpu.md):
// - NVSwitch is non-blocking: a GPU's NVLink bandwidth is limited at its own
//   ports (one egress, one ingress link per GPU); no link inside the switch.
// - A plane is a non-blocking fat-tree: each leaf gives half its ports to NICs
//   and half to spines; the parallel uplinks from one leaf to one spine are
//   one trunk whose capacity is their sum (ideal load balance inside a trunk);
//   a flow picks its spine deterministically, (src node + dst node) mod spines.
// - The NIC link carries the effective NIC rate software reaches
//   (nic.effective_GBps); switch-to-switch links carry the line rate.
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"

namespace hwsim::interconnect {

struct ClusterParams {
  int nodes = 0;
  int gpus_per_node = 0;
  int planes = 0;
  int switch_ports = 0;
  double nvlink_Bps = 0;  // achieved, one direction, per GPU
  double nvlink_latency_s = 0;
  double nic_Bps = 0;               // effective, one direction, per NIC
  double nic_line_Bps = 0;          // line rate (switch links)
  double nic_latency_s = 0;         // same leaf
  double cross_leaf_latency_s = 0;  // through a spine
  double nic_message_s = 0;         // NIC occupancy per message

  // Throws hwsim::Error when gpus is not a multiple of fabric.gpus_per_node,
  // or the plane count differs from the GPUs per node (one NIC per GPU).
  static ClusterParams from_spec(const HardwareSpec& spec, int gpus);
};

enum class LinkKind { kNvlinkOut, kNvlinkIn, kNicOut, kNicIn, kLeafUp, kSpineDown };
std::string to_string(LinkKind k);

class Cluster {
 public:
  // Throws hwsim::Error when a plane would exceed what two switch layers of
  // this radix can join (ports^2 / 2 NICs).
  explicit Cluster(const ClusterParams& params);

  const ClusterParams& params() const { return params_; }
  int gpus() const { return params_.nodes * params_.gpus_per_node; }
  int gpu(int node, int local) const { return node * params_.gpus_per_node + local; }
  int node_of(int gpu) const { return gpu / params_.gpus_per_node; }
  int local_of(int gpu) const { return gpu % params_.gpus_per_node; }
  int leaves_per_plane() const { return leaves_; }
  int spines_per_plane() const { return spines_; }

  const std::vector<double>& capacities() const { return capacity_; }
  LinkKind kind(int link) const { return kind_[static_cast<size_t>(link)]; }
  int links() const { return static_cast<int>(capacity_.size()); }

  // Links of a direct path. Same node: NVLink out, NVLink in. Different nodes
  // with the same in-node index: NIC out, [leaf up, spine down], NIC in.
  // Different nodes and indices have no direct path (a plane joins only one
  // index): throws; use rail_path.
  std::vector<int> path(int src, int dst) const;
  // IB first to the GPU of dst's node with src's in-node index, then NVLink
  // (DeepEP's dispatch route; V3 3.2.2). Equals path() when that is direct.
  std::vector<int> rail_path(int src, int dst) const;
  // Small-message latency of path(src, dst) or rail_path(src, dst).
  double latency_s(int src, int dst) const;

 private:
  int nic_out(int g) const { return 4 * g + 2; }
  int nic_in(int g) const { return 4 * g + 3; }
  int leaf_of_node(int node) const { return node / (params_.switch_ports / 2); }

  ClusterParams params_;
  int leaves_ = 0, spines_ = 0;
  int fabric_base_ = 0;  // first leaf/spine trunk link
  std::vector<double> capacity_;
  std::vector<LinkKind> kind_;
};

}  // namespace hwsim::interconnect
