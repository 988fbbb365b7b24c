// The cluster built from the GPU description: link counts of the multi-plane
// fat-tree, routes, the symmetry shortcut against the explicit solution, and
// H800 vs H100 differing only through NVLink.
#include <catch2/catch.hpp>

#include "models/interconnect/traffic.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim::interconnect;

namespace {

// Every GPU sends `bytes` to the GPU with its in-node index on each other node
// of its group of `group_nodes` nodes (the IB half of an EP all-to-all).
std::vector<Transfer> rail_all_to_all(const Cluster& c, int group_nodes, double bytes) {
  std::vector<Transfer> t;
  for (int g = 0; g < c.gpus(); ++g) {
    const int base = c.node_of(g) / group_nodes * group_nodes;
    for (int n = base; n < base + group_nodes; ++n) {
      if (n != c.node_of(g)) t.push_back({g, c.gpu(n, c.local_of(g)), bytes});
    }
  }
  return t;
}

}  // namespace

TEST_CASE("2,048 H800s: 256 nodes, 8 planes of 8 leaves and 4 spines") {
  const Cluster c(ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 2048));
  CHECK(c.gpus() == 2048);
  CHECK(c.leaves_per_plane() == 8);  // 256 NICs per plane / 32 down ports
  CHECK(c.spines_per_plane() == 4);  // 8 leaves x 32 up ports / 64
  CHECK(c.links() == 2048 * 4 + 8 * 8 * 4 * 2);
  CHECK(c.path(0, 1).size() == 2);                   // NVLink
  CHECK(c.path(0, c.gpu(1, 0)).size() == 2);         // same leaf
  CHECK(c.path(0, c.gpu(100, 0)).size() == 4);       // through a spine
  CHECK(c.rail_path(0, c.gpu(100, 3)).size() == 6);  // IB then NVLink
  CHECK_THROWS_WITH(c.path(0, c.gpu(1, 3)), Catch::Contains("rail_path"));
  CHECK(c.latency_s(0, c.gpu(100, 0)) > c.latency_s(0, c.gpu(1, 0)));
}

TEST_CASE("a plane larger than two switch layers can join is an error") {
  ClusterParams p = ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 16);
  p.nodes = 64 * 32 + 1;
  CHECK_THROWS_WITH(Cluster(p), Catch::Contains("two-layer fat-tree"));
  CHECK_THROWS_WITH(ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 12), Catch::Contains("multiple"));
}

TEST_CASE("symmetry shortcut equals the explicit max-min solution on balanced traffic") {
  const Cluster c(ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 2048));
  // EP64 groups (8 nodes) over IB, 2,048 GPUs at once: 14,336 flows.
  const auto t = rail_all_to_all(c, 8, 1e6);
  const auto explicit_sim = simulate_transfers(c, t, Route::kDirect);
  const auto shortcut = bottleneck_time_s(c, t, Route::kDirect);
  CHECK(explicit_sim.makespan_s == Approx(shortcut.time_s).epsilon(1e-9));
  CHECK(c.kind(shortcut.link) == LinkKind::kNicOut);
  // Hand value: 7 peers x (1 MB + one message) at 40 GB/s + 2.8 us.
  CHECK(shortcut.time_s == Approx((7e6 + 7 * 3e-9 * 40e9) / 40e9 + 2.8e-6));

  // Cross-leaf groups (every 32nd node) go through spines; still balanced.
  std::vector<Transfer> wide;
  for (int g = 0; g < c.gpus(); ++g) {
    const int n = c.node_of(g);
    wide.push_back({g, c.gpu((n + 32) % 256, c.local_of(g)), 2e6});
  }
  CHECK(simulate_transfers(c, wide, Route::kDirect).makespan_s ==
        Approx(bottleneck_time_s(c, wide, Route::kDirect).time_s).epsilon(1e-9));
}

TEST_CASE("skewed traffic is simulated explicitly and the shortcut is only a lower bound") {
  const Cluster c(ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 16));
  // In node 0: GPU 0 sends 3 MB to GPU 1 and GPU 2 sends 1 MB to GPU 1 and
  // 3 MB to GPU 3. GPU 1's ingress and GPU 2's egress carry 4 MB each; all
  // three flows start at half of 160 GB/s.
  const std::vector<Transfer> t = {{0, 1, 3e6}, {2, 1, 1e6}, {2, 3, 3e6}};
  const auto s = simulate_transfers(c, t, Route::kDirect);
  const double bw = 160e9, lat = 3.33e-6;
  // Phase 1: all three at bw/2 until the 1 MB flow ends (2 MB / bw); the two
  // 3 MB flows have 2 MB left and then run alone at bw: + 2 MB / bw.
  CHECK(s.finish_s[1] == Approx(2e6 / bw + lat));
  CHECK(s.finish_s[0] == Approx(4e6 / bw + lat));
  CHECK(s.finish_s[2] == Approx(4e6 / bw + lat));
  CHECK(bottleneck_time_s(c, t, Route::kDirect).time_s <= s.makespan_s * (1 + 1e-12));

  // Staggering breaks the symmetry the shortcut relies on: a flow that starts
  // when another ends leaves its link idle meanwhile. The explicit answer is
  // the sum, the shortcut (which ignores start times) the max.
  const std::vector<TimedFlow> staggered = {{{c.path(0, 1)}, 1.6e6, 0, 0}, {{c.path(2, 3)}, 1.6e6, 1e-5, 0}};
  CHECK(simulate_flows(c.capacities(), staggered).makespan_s == Approx(1e-5 + 1e-5));
}

TEST_CASE("H800 and H100 clusters differ only through the NVLink numbers of their YAML") {
  const auto h800 = ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 64);
  const auto h100 = ClusterParams::from_spec(hwsim::load_gpu("h100-sxm"), 64);
  CHECK(h800.nvlink_Bps == Approx(160e9));
  CHECK(h100.nvlink_Bps == Approx(360e9));
  ClusterParams same = h100;
  same.nvlink_Bps = h800.nvlink_Bps;
  CHECK(same.nic_Bps == h800.nic_Bps);
  CHECK(same.nic_latency_s == h800.nic_latency_s);
  CHECK(same.cross_leaf_latency_s == h800.cross_leaf_latency_s);
  CHECK(same.nvlink_latency_s == h800.nvlink_latency_s);
  CHECK(same.planes == h800.planes);
  // An intranode all-to-all therefore speeds up by exactly the NVLink ratio
  // (less latency).
  auto a2a = [](const ClusterParams& p) {
    const Cluster c(p);
    std::vector<Transfer> t;
    for (int s = 0; s < 8; ++s)
      for (int d = 0; d < 8; ++d)
        if (s != d) t.push_back({s, d, 1e8});
    return simulate_transfers(c, t, Route::kDirect).makespan_s - p.nvlink_latency_s;
  };
  CHECK(a2a(h800) / a2a(h100) == Approx(360.0 / 160.0));
  auto h100_set = hwsim::load_gpu("h100-sxm", {"nvlink.achieved_unidir_GBps=160"});
  CHECK(ClusterParams::from_spec(h100_set, 64).nvlink_Bps == h800.nvlink_Bps);
}

TEST_CASE("skewed EP64 all-to-all on 2,048 GPUs: explicit simulation, independent groups decoupled exactly") {
  const Cluster c(ClusterParams::from_spec(hwsim::load_gpu("h800-sxm"), 2048));
  // Uneven sizes from a fixed rule (no two flows alike): every flow of a
  // group ends at its own time, so the simulation re-solves rates often.
  std::vector<Transfer> t;
  for (int g = 0; g < c.gpus(); ++g) {
    const int base = c.node_of(g) / 8 * 8;
    for (int n = base; n < base + 8; ++n) {
      if (n != c.node_of(g)) t.push_back({g, c.gpu(n, c.local_of(g)), 1e6 * (1 + (g * 7 + n * 13) % 17 / 16.0)});
    }
  }
  const auto all = simulate_transfers(c, t, Route::kDirect);
  CHECK(all.rate_solves > 1000);
  CHECK(all.makespan_s > bottleneck_time_s(c, t, Route::kDirect).time_s * 0.999);
  // The first group (nodes 0-7) alone gives the same finish times for its flows.
  std::vector<Transfer> first(t.begin(), t.begin() + 64 * 7);
  const auto one = simulate_transfers(c, first, Route::kDirect);
  for (size_t i = 0; i < first.size(); ++i) CHECK(one.finish_s[i] == Approx(all.finish_s[i]).epsilon(1e-12));
}
