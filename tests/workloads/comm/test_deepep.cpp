// DeepEP-style kernels' data flows: payloads, routing, the SM-count mechanism,
// and the published DeepEP bandwidths (REFERENCE C3), which the model is
// checked against and never fitted to. Tolerances are stated per check; the
// differences are explained in docs/multigpu.md.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/comm/deepep.hpp"
#include "workloads/deepseek_v3/model_shape.hpp"

using namespace hwsim;
using namespace hwsim::comm;

namespace {

const MoeShape& shape() {
  static const MoeShape s = deepseek_v3::published_shape().moe();
  return s;
}

EpRouting routing(int ep, int tokens, bool skewed = false) {
  RoutingOptions o = deepseek_v3::published_routing_options();
  o.ep = ep;
  o.tokens_per_gpu = tokens;
  o.skewed = skewed;
  o.skew_sigma = 1.0;
  return sample_routing(shape(), o);
}

}  // namespace

TEST_CASE("token payloads: FP8 + 1x128 scales for dispatch, BF16 for combine, DeepEP metadata") {
  const TokenPayload p = token_payload(shape());
  CHECK(p.fp8_hidden_bytes == 7168);
  CHECK(p.scale_bytes == 56 * 4);
  // 7168 + 224 + 8 (source) + 8 x (4 + 4) (top-k) = 7464, padded to 16 B.
  CHECK(p.dispatch_bytes == 7472);
  CHECK(p.combine_bytes == 14384);  // 14336 + 8 + 32 = 14376, padded
}

TEST_CASE("node-limited routing: at most 4 nodes per token, 8 experts per token, deterministic") {
  const EpRouting r = routing(64, 512);
  double pairs = 0, node_hits = 0;
  for (int s = 0; s < 64; ++s) {
    for (int d = 0; d < 64; ++d) pairs += r.expert_pairs(s, d);
    for (int n = 0; n < 8; ++n) node_hits += r.node_count(s, n);
  }
  CHECK(pairs == 64.0 * 512 * 8);
  // At most topk_group = 4 groups (one per node); a token whose 8 experts all
  // fall in fewer of its chosen groups reaches fewer nodes.
  CHECK(node_hits <= 64.0 * 512 * 4);
  CHECK(node_hits > 64.0 * 512 * 3.5);
  const EpRouting again = routing(64, 512);
  CHECK(again.gpu_tokens == r.gpu_tokens);
  // Skewed routing loads the busiest expert more than balanced routing does.
  const EpRouting sk = routing(64, 512, true);
  CHECK(*std::max_element(sk.expert_tokens.begin(), sk.expert_tokens.end()) >
        1.5 * *std::max_element(r.expert_tokens.begin(), r.expert_tokens.end()));
  RoutingOptions bad = deepseek_v3::published_routing_options();
  bad.ep = 12;
  CHECK_THROWS_WITH(sample_routing(shape(), bad), Catch::Contains("ep = 12"));
}

TEST_CASE("SM count: with few SMs the copies bound the kernel and time scales as 1/SMs") {
  const auto spec = load_gpu("h800-sxm");
  const EpRouting r = routing(64, 1024);
  const TokenPayload p = token_payload(shape());
  DeepEpConfig two, four, twenty;
  two.num_sms = 2;
  four.num_sms = 4;
  const auto a = internode_dispatch(spec, r, p, two);
  const auto b = internode_dispatch(spec, r, p, four);
  const auto c = internode_dispatch(spec, r, p, twenty);
  CHECK(a.bound == "sm");
  CHECK(b.bound == "sm");
  CHECK((a.time_s - a.fill_s) / (b.time_s - b.fill_s) == Approx(2.0).epsilon(1e-9));
  CHECK(c.bound == "ib");  // V3 3.2.2: 20 SMs suffice to saturate IB
  CHECK(c.sms_held == 20);
  CHECK(c.channels == 10);
  CHECK(c.ib_chunk_bytes == 28 * p.dispatch_bytes);
  // A faster per-SM copy rate (the YAML key) moves the SM bound, not the link bound.
  const auto fast = load_gpu("h800-sxm", {"sm.peer_copy_GBps=64"});
  CHECK(internode_dispatch(fast, r, p, two).sm_s == Approx(a.sm_s / 2));
  CHECK(internode_dispatch(fast, r, p, twenty).time_s == Approx(c.time_s));
  DeepEpConfig odd;
  odd.num_sms = 3;
  CHECK_THROWS_WITH(internode_dispatch(spec, r, p, odd), Catch::Contains("num_sms = 3"));
}

TEST_CASE("dispatched tokens are read and written in HBM on both ends") {
  const auto spec = load_gpu("h800-sxm");
  const EpRouting r = routing(64, 1024);
  const TokenPayload p = token_payload(shape());
  const auto d = internode_dispatch(spec, r, p, {});
  // At least: the sender reads each token copy and the receiver writes it.
  const double tokens_sent = 1024 * 4;  // 4 nodes per token
  CHECK(d.hbm_read_bytes > tokens_sent * p.dispatch_bytes);
  CHECK(d.hbm_write_bytes > tokens_sent * p.dispatch_bytes);
  const auto c = internode_combine(spec, r, p, {});
  CHECK(c.ib_tx_bytes > d.ib_tx_bytes * 1.8);  // BF16 back vs FP8 out
}

TEST_CASE("balanced dispatch: symmetry shortcut within 1% of the explicit max-min simulation") {
  const auto spec = load_gpu("h800-sxm");
  const EpRouting r = routing(32, 1024);
  const TokenPayload p = token_payload(shape());
  DeepEpConfig ex;
  ex.explicit_flows = true;
  const auto a = internode_dispatch(spec, r, p, {});
  const auto b = internode_dispatch(spec, r, p, ex);
  CHECK(b.explicit_flows);
  CHECK(a.time_s == Approx(b.time_s).epsilon(0.01));
  // Skewed routing is simulated explicitly and is slower.
  const auto s = internode_dispatch(spec, routing(32, 1024, true), p, {});
  CHECK(s.explicit_flows);
  CHECK(s.time_s > a.time_s);
}

TEST_CASE("DeepEP intranode EP8 (H800, 4096 tokens): within 20% of the published 153 / 158 GB/s") {
  // DeepEP README (REFERENCE C3): 153 GB/s dispatch, 158 GB/s combine. The
  // model's NVLink is the YAML's 160 GB/s achieved per direction; the
  // reported metric includes the 1/8 of tokens a GPU keeps (DeepEP's test
  // counts every received token), which is why the model reads above 160.
  const auto spec = load_gpu("h800-sxm");
  const EpRouting r = routing(8, 4096);
  const TokenPayload p = token_payload(shape());
  const auto d = intranode_dispatch(spec, r, p, {});
  const auto c = intranode_combine(spec, r, p, {});
  CHECK(d.bound == "nvlink");
  CHECK(d.reported_Bps / 1e9 == Approx(153).epsilon(0.20));
  CHECK(c.reported_Bps / 1e9 == Approx(158).epsilon(0.20));
}

TEST_CASE("DeepEP internode EP32 / EP64 (H800, 4096 tokens): within 20% of the published RDMA bandwidths") {
  // DeepEP docs/legacy.md after 2025-04-22: EP32 58 / 57 GB/s, EP64 51 / 50 GB/s
  // (dispatch / combine). The model's IB is the YAML's 40 GB/s effective.
  const auto spec = load_gpu("h800-sxm");
  const TokenPayload p = token_payload(shape());
  const struct {
    int ep;
    double dispatch, combine;
  } published[] = {{32, 58, 57}, {64, 51, 50}};
  for (const auto& row : published) {
    INFO("EP" << row.ep);
    const EpRouting r = routing(row.ep, 4096);
    const auto d = internode_dispatch(spec, r, p, {});
    const auto c = internode_combine(spec, r, p, {});
    CHECK(d.bound == "ib");
    CHECK(d.reported_Bps / 1e9 == Approx(row.dispatch).epsilon(0.20));
    CHECK(c.reported_Bps / 1e9 == Approx(row.combine).epsilon(0.20));
  }
}

TEST_CASE("DeepEP internode EP16: the model is NVLink-bound (known gap to the published 43 GB/s)") {
  // With 2 nodes every token reaches both, so each GPU forwards over NVLink
  // ~3.5 copies per token while IB carries one: the model is NVLink-bound and
  // reads ~63 GB/s, 47% above DeepEP's 43 GB/s (docs/multigpu.md discusses
  // the gap; it is not tuned away).
  const auto spec = load_gpu("h800-sxm");
  const auto d = internode_dispatch(spec, routing(16, 4096), token_payload(shape()), {});
  CHECK(d.bound == "nvlink");
  CHECK(d.reported_Bps / 1e9 > 43);
}

TEST_CASE("low-latency kernels hold no SMs and match DeepEP's decode latencies within 15% at EP64-256") {
  // DeepEP README after 2025-06-05 (REFERENCE C3): 128 tokens, top-8:
  // dispatch 173 / 192 / 194 us, combine 314 / 369 / 360 us at EP 64 / 128 / 256.
  const auto spec = load_gpu("h800-sxm");
  const TokenPayload p = token_payload(shape());
  const struct {
    int ep;
    double dispatch_us, combine_us;
  } published[] = {{64, 173, 314}, {128, 192, 369}, {256, 194, 360}};
  for (const auto& row : published) {
    INFO("EP" << row.ep);
    const EpRouting r = routing(row.ep, 128);
    const auto d = low_latency_dispatch(spec, r, p);
    const auto c = low_latency_combine(spec, r, p);
    CHECK(d.sms_held == 0);
    CHECK(d.time_s * 1e6 == Approx(row.dispatch_us).epsilon(0.15));
    CHECK(c.time_s * 1e6 == Approx(row.combine_us).epsilon(0.15));
  }
}
