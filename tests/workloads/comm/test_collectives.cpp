// Ring collectives and point-to-point transfers against hand formulas, and the
// ISCA 2025 decode bound (2.3.2) computed by the low-latency kernel model.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/comm/collectives.hpp"
#include "workloads/comm/deepep.hpp"
#include "workloads/deepseek_v3/model_shape.hpp"

using namespace hwsim;
using namespace hwsim::comm;
using interconnect::Cluster;
using interconnect::ClusterParams;

namespace {

std::vector<int> first_gpus(int n) {
  std::vector<int> g;
  for (int i = 0; i < n; ++i) g.push_back(i);
  return g;
}

}  // namespace

TEST_CASE("ring all-reduce over 16 H800 nodes is NVLink-bound, over 16 H100 nodes NIC-bound") {
  const double bytes = 1e9;
  for (const char* gpu : {"h800-sxm", "h100-sxm"}) {
    INFO(gpu);
    const auto spec = load_gpu(gpu);
    const Cluster c(ClusterParams::from_spec(spec, 128));
    const auto r = ring_collective(c, Collective::kAllReduce, bytes, first_gpus(128));
    // Per step each GPU sends bytes/128 split over 8 rings: 7 rings' edges on
    // NVLink, 1 ring's on its NIC (with one message's NIC cost).
    const double chunk = bytes / 128 / 8;
    const double nvl = 7 * chunk / (spec.nvlink.achieved_unidir_GBps * 1e9);
    const double nic = (chunk + 3e-9 * 40e9) / 40e9;
    const double step = std::max(nvl, nic) + std::max(spec.nvlink.latency_us, spec.nic.latency_us) * 1e-6;
    CHECK(r.time_s == Approx(2 * 127 * step).epsilon(1e-9));
    CHECK(r.bound == (std::string(gpu) == "h800-sxm" ? "nvlink_out" : "nic_out"));
    CHECK(r.ib_tx_bytes == Approx(2 * 127 * chunk));
    CHECK(r.nvlink_tx_bytes == Approx(2 * 127 * chunk * 7));
  }
}

TEST_CASE("reduce-scatter and all-gather each take half an all-reduce; bad groups are errors") {
  const Cluster c(ClusterParams::from_spec(load_gpu("h800-sxm"), 32));
  const auto ar = ring_collective(c, Collective::kAllReduce, 1e8, first_gpus(32));
  const auto rs = ring_collective(c, Collective::kReduceScatter, 1e8, first_gpus(32));
  const auto ag = ring_collective(c, Collective::kAllGather, 1e8, first_gpus(32));
  CHECK(rs.time_s + ag.time_s == Approx(ar.time_s));
  CHECK_THROWS_WITH(ring_collective(c, Collective::kAllGather, 1e8, {0}), Catch::Contains("at least 2"));
  CHECK_THROWS_WITH(ring_collective(c, Collective::kAllGather, 1e8, {0, 1, 8}), Catch::Contains("same number"));
}

TEST_CASE("pipeline send/recv between stages crosses one NIC") {
  const auto spec = load_gpu("h800-sxm");
  const Cluster c(ClusterParams::from_spec(spec, 2048));
  const double act = 4096.0 * 7168 * 2;  // one micro-batch's BF16 activations
  const auto s = send_recv(c, 0, 128, act);
  CHECK(s.bound == "nic_out");
  CHECK(s.time_s == Approx((act + 3e-9 * 40e9) / 40e9 + 2.8e-6));
}

TEST_CASE("ISCA 2025 decode bound: ~121 us of EP communication per layer on 50 GB/s IB, ~14.8 ms per token") {
  // ISCA 2.3.2: (1 B + 2 B) x 32 tokens x 9 experts x 7K / 50 GB/s = 120.96 us
  // per layer; x 2 micro-batches x 61 layers = 14.76 ms. The model runs the
  // low-latency dispatch and combine kernels for 32 tokens per GPU with 9
  // experts each (the shared expert counted as a 9th routed one, V3 3.4.2) on
  // an EP group spanning many nodes, with IB at its 50 GB/s line rate.
  // Tolerance 30%, and the model must lie above the paper's figure: it adds
  // hidden = 7168 (not 7K, +2.4%), the FP8 scales and DeepEP's metadata
  // (+4% on dispatch), the IB + NVLink latency of each kernel (~14 us per
  // layer), and the busiest NIC of a sampled routing rather than the average
  // one (32 tokens per GPU give uneven loads); docs/multigpu.md itemises it.
  const auto spec = load_gpu("h800-sxm", {"nic.effective_GBps=50"});
  auto shape = deepseek_v3::published_shape();
  shape.experts_per_token = 9;
  RoutingOptions o = deepseek_v3::published_routing_options();
  o.ep = 256;
  o.tokens_per_gpu = 32;
  const EpRouting r = sample_routing(shape.moe(), o);
  const TokenPayload p = token_payload(shape.moe());
  const double layer_s = low_latency_dispatch(spec, r, p).time_s + low_latency_combine(spec, r, p).time_s;
  CHECK(layer_s * 1e6 == Approx(120.96).epsilon(0.30));
  CHECK(layer_s * 1e6 > 120.96);
  const double tpot_s = layer_s * 2 * shape.layers;
  CHECK(tpot_s * 1e3 == Approx(14.76).epsilon(0.30));
  // More bandwidth shortens it in proportion to the bytes part only.
  const auto fast = load_gpu("h800-sxm", {"nic.effective_GBps=100"});
  const double fast_s = low_latency_dispatch(fast, r, p).time_s + low_latency_combine(fast, r, p).time_s;
  CHECK(fast_s < layer_s * 0.6);
  CHECK(fast_s > layer_s * 0.5);
}
