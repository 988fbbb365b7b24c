// Traffic between the GPUs of a Cluster (models/interconnect/traffic): the
// per-link loads conserve bytes along each route (plus the NIC's per-message
// cost), the symmetry shortcut is exact on balanced traffic and a lower bound
// otherwise, and the edge cases (no transfers, zero bytes) are defined.
// Hand values use the h800-sxm description: NVLink 160 GB/s and 3.33 us, NIC
// 40 GB/s, 2.8 us within a leaf, 3 ns per message.
#include <catch2/catch.hpp>
#include <map>
#include <numeric>

#include "models/interconnect/traffic.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim::interconnect;

namespace {

const ClusterParams& h800_params(int gpus) {
  static const hwsim::HardwareSpec spec = hwsim::load_gpu("h800-sxm");
  static std::map<int, ClusterParams> cache;
  auto it = cache.find(gpus);
  if (it == cache.end()) it = cache.emplace(gpus, ClusterParams::from_spec(spec, gpus)).first;
  return it->second;
}

double sum_of_kind(const Cluster& c, const std::vector<double>& load, LinkKind k) {
  double s = 0;
  for (int l = 0; l < c.links(); ++l)
    if (c.kind(l) == k) s += load[static_cast<size_t>(l)];
  return s;
}

}  // namespace

TEST_CASE("traffic: link loads conserve every transfer's bytes along its route", "[traffic]") {
  const Cluster c(h800_params(16));  // two nodes of 8
  const ClusterParams& p = c.params();
  REQUIRE(p.nic_message_s > 0);
  const double msg_bytes = p.nic_message_s * p.nic_Bps;  // one message's NIC cost as bytes
  const std::vector<Transfer> t = {
      {0, 1, 3e6},                 // NVLink
      {2, 1, 1e6},                 // NVLink, same ingress as the first
      {0, c.gpu(1, 0), 2e6, 4},    // IB, same plane, 4 messages
      {5, c.gpu(1, 5), 1.5e6, 1},  // IB
  };
  const auto load = link_bytes(c, t, Route::kDirect);
  REQUIRE(load.size() == static_cast<size_t>(c.links()));

  // Every link of a route carries the transfer's bytes (and its NIC cost):
  // the total is sum(bytes x hops).
  double expected_total = 0;
  for (const Transfer& x : t) {
    const bool ib = c.node_of(x.src) != c.node_of(x.dst);
    expected_total +=
        (x.bytes + (ib ? x.messages * msg_bytes : 0.0)) * static_cast<double>(c.path(x.src, x.dst).size());
  }
  CHECK(std::accumulate(load.begin(), load.end(), 0.0) == Approx(expected_total).epsilon(1e-12));

  // Per kind: NVLink carries the in-node bytes once out and once in; the NICs
  // the cross-node bytes plus 5 messages' cost.
  CHECK(sum_of_kind(c, load, LinkKind::kNvlinkOut) == Approx(4e6));
  CHECK(sum_of_kind(c, load, LinkKind::kNvlinkIn) == Approx(4e6));
  CHECK(sum_of_kind(c, load, LinkKind::kNicOut) == Approx(3.5e6 + 5 * msg_bytes));
  CHECK(sum_of_kind(c, load, LinkKind::kNicIn) == Approx(3.5e6 + 5 * msg_bytes));
  // Two nodes share a leaf: nothing crosses a spine.
  CHECK(sum_of_kind(c, load, LinkKind::kLeafUp) == 0);
  CHECK(sum_of_kind(c, load, LinkKind::kSpineDown) == 0);

  // GPU 1's NVLink ingress carries both in-node transfers.
  const int in1 = c.path(0, 1).back();
  CHECK(c.kind(in1) == LinkKind::kNvlinkIn);
  CHECK(load[static_cast<size_t>(in1)] == Approx(4e6));
  CHECK(c.path(2, 1).back() == in1);
}

TEST_CASE("traffic: the rail route crosses IB to the same in-node index, then NVLink", "[traffic]") {
  const Cluster c(h800_params(16));
  const int dst = c.gpu(1, 3);
  const std::vector<Transfer> t = {{0, dst, 1e6, 1}};
  CHECK_THROWS_WITH(link_bytes(c, t, Route::kDirect), Catch::Contains("rail_path"));
  const auto load = link_bytes(c, t, Route::kRail);
  const double msg_bytes = c.params().nic_message_s * c.params().nic_Bps;
  CHECK(sum_of_kind(c, load, LinkKind::kNicOut) == Approx(1e6 + msg_bytes));
  CHECK(sum_of_kind(c, load, LinkKind::kNicIn) == Approx(1e6 + msg_bytes));
  // The NVLink hop is charged the same equivalent bytes (the route carries one load).
  CHECK(sum_of_kind(c, load, LinkKind::kNvlinkOut) == Approx(1e6 + msg_bytes));
  CHECK(sum_of_kind(c, load, LinkKind::kNvlinkIn) == Approx(1e6 + msg_bytes));
  // The NVLink hop leaves from the relay, GPU (1, 0).
  const int relay_out = c.path(c.gpu(1, 0), dst).front();
  CHECK(load[static_cast<size_t>(relay_out)] == Approx(1e6 + msg_bytes));
  // Rail and direct agree where a direct path exists.
  const std::vector<Transfer> same_index = {{0, c.gpu(1, 0), 1e6, 1}};
  CHECK(link_bytes(c, same_index, Route::kRail) == link_bytes(c, same_index, Route::kDirect));
  // The NIC (40 GB/s) is the bottleneck; the latency adds the NVLink hop to the IB latency.
  REQUIRE(c.params().nic_Bps < c.params().nvlink_Bps);
  CHECK(bottleneck_time_s(c, t, Route::kRail).time_s ==
        Approx((1e6 + msg_bytes) / c.params().nic_Bps + c.params().nic_latency_s + c.params().nvlink_latency_s)
            .epsilon(1e-12));
  CHECK(simulate_transfers(c, t, Route::kRail).makespan_s ==
        Approx(bottleneck_time_s(c, t, Route::kRail).time_s).epsilon(1e-9));
}

TEST_CASE("traffic: in-node all-to-all, the shortcut and the explicit simulation give the hand value", "[traffic]") {
  const Cluster c(h800_params(8));
  const ClusterParams& p = c.params();
  std::vector<Transfer> t;
  for (int s = 0; s < 8; ++s)
    for (int d = 0; d < 8; ++d)
      if (s != d) t.push_back({s, d, 2e6});
  // Every egress and ingress carries 7 x 2 MB at the NVLink rate.
  const double hand = 7 * 2e6 / p.nvlink_Bps + p.nvlink_latency_s;
  const auto b = bottleneck_time_s(c, t, Route::kDirect);
  CHECK(b.time_s == Approx(hand).epsilon(1e-12));
  CHECK(b.link_bytes == Approx(14e6));
  const LinkKind k = c.kind(b.link);
  CHECK((k == LinkKind::kNvlinkOut || k == LinkKind::kNvlinkIn));
  const auto s = simulate_transfers(c, t, Route::kDirect);
  CHECK(s.makespan_s == Approx(hand).epsilon(1e-9));
  REQUIRE(s.finish_s.size() == t.size());
  for (double f : s.finish_s) CHECK(f == Approx(hand).epsilon(1e-9));  // balanced: all finish together
  // Bandwidth bound: no transfer beats its bytes over the slowest link it crosses.
  for (double f : s.finish_s) CHECK(f >= 2e6 / p.nvlink_Bps + p.nvlink_latency_s);
}

TEST_CASE("traffic: an incast is bounded by the one ingress; the shortcut is a lower bound of skewed traffic",
          "[traffic]") {
  const Cluster c(h800_params(8));
  const ClusterParams& p = c.params();
  std::vector<Transfer> t;
  double total = 0;
  for (int s = 1; s < 8; ++s) {
    t.push_back({s, 0, 1e6 * s});
    total += 1e6 * s;
  }
  const auto s = simulate_transfers(c, t, Route::kDirect);
  const auto b = bottleneck_time_s(c, t, Route::kDirect);
  // GPU 0's ingress is busy until every byte has arrived (work-conserving).
  CHECK(s.makespan_s == Approx(total / p.nvlink_Bps + p.nvlink_latency_s).epsilon(1e-9));
  CHECK(b.time_s == Approx(total / p.nvlink_Bps + p.nvlink_latency_s).epsilon(1e-12));
  CHECK(b.link == c.path(1, 0).back());
  CHECK(b.link_bytes == Approx(total));
  // Max-min fair sharing: the smallest flow finishes first, at 7x its bytes
  // (it shares the ingress with the other 6 at equal rates).
  CHECK(s.finish_s[0] == Approx(7 * 1e6 / p.nvlink_Bps + p.nvlink_latency_s).epsilon(1e-9));
  for (size_t i = 1; i < s.finish_s.size(); ++i) CHECK(s.finish_s[i] >= s.finish_s[i - 1]);

  // Skewed in two places at once: the shortcut never exceeds the explicit time.
  const std::vector<Transfer> skew = {{0, 1, 5e6}, {2, 1, 1e6}, {2, 3, 1e6}, {4, 3, 3e6}, {4, 5, 2e6}};
  CHECK(bottleneck_time_s(c, skew, Route::kDirect).time_s <=
        simulate_transfers(c, skew, Route::kDirect).makespan_s * (1 + 1e-12));
}

TEST_CASE("traffic: each NIC message costs nic.message_overhead_ns at the NIC", "[traffic]") {
  const Cluster c(h800_params(16));
  const ClusterParams& p = c.params();
  auto time = [&](int messages, bool explicit_flows) {
    const std::vector<Transfer> t = {{0, c.gpu(1, 0), 4e6, messages}};
    return explicit_flows ? simulate_transfers(c, t, Route::kDirect).makespan_s
                          : bottleneck_time_s(c, t, Route::kDirect).time_s;
  };
  for (bool explicit_flows : {false, true}) {
    CHECK(time(1, explicit_flows) == Approx(4e6 / p.nic_Bps + p.nic_message_s + p.nic_latency_s).epsilon(1e-9));
    CHECK(time(1001, explicit_flows) - time(1, explicit_flows) == Approx(1000 * p.nic_message_s).epsilon(1e-6));
  }
  // In-node transfers pay no NIC messages.
  const std::vector<Transfer> nv1 = {{0, 1, 4e6, 1}}, nv1000 = {{0, 1, 4e6, 1000}};
  CHECK(bottleneck_time_s(c, nv1, Route::kDirect).time_s == bottleneck_time_s(c, nv1000, Route::kDirect).time_s);
}

TEST_CASE("traffic: no transfers take no time; a zero-byte transfer loads no link", "[traffic]") {
  const Cluster c(h800_params(16));
  const std::vector<Transfer> none;
  const auto load = link_bytes(c, none, Route::kDirect);
  CHECK(std::accumulate(load.begin(), load.end(), 0.0) == 0);
  const auto b = bottleneck_time_s(c, none, Route::kDirect);
  CHECK(b.time_s == 0);
  CHECK(b.link == -1);
  const auto s = simulate_transfers(c, none, Route::kDirect);
  CHECK(s.makespan_s == 0);
  CHECK(s.finish_s.empty());

  const std::vector<Transfer> zero = {{0, 1, 0.0}};
  const auto zl = link_bytes(c, zero, Route::kDirect);
  CHECK(std::accumulate(zl.begin(), zl.end(), 0.0) == 0);
  // The shortcut charges only the path latency; the flow model refuses a flow
  // without bytes (callers drop empty pairs first, e.g. workloads/comm/deepep).
  const auto zb = bottleneck_time_s(c, zero, Route::kDirect);
  CHECK(zb.link == -1);
  CHECK(zb.time_s == Approx(c.params().nvlink_latency_s));
  CHECK_THROWS_AS(simulate_transfers(c, zero, Route::kDirect), hwsim::Error);
  CHECK_THROWS_WITH(simulate_transfers(c, zero, Route::kDirect), Catch::Contains("bytes must be > 0"));
}
