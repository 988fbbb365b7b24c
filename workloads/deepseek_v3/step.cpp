#include "workloads/deepseek_v3/step.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "models/interconnect/cluster.hpp"
#include "models/spec/error.hpp"
#include "workloads/comm/collectives.hpp"
#include "workloads/comm/routing.hpp"

namespace hwsim::deepseek_v3 {
namespace {

// Each option's range (docs/reliability.md): pp x ep stays far inside an int (pp = ep = 10^9 once overflowed
// it), a 128K-token sequence per micro-batch takes ~15 s to simulate (10^9 ran for minutes), and the schedule
// of 10^7 sequences a step takes under a second (10^9 ran for minutes).
int whole_in(const std::string& key, const std::string& v, long long lo, long long hi) {
  std::size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || x < lo || x > hi) {
    throw Error(fmt::format("step option {}: '{}' must be a whole number in {}..{}", key, v, lo, hi));
  }
  return static_cast<int>(x);
}

bool flag(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  throw Error(fmt::format("step option {}: '{}' must be true or false", key, v));
}

}  // namespace

void StepOptions::set(const std::string& a) {
  const auto eq = a.find('=');
  if (eq == std::string::npos) throw Error(fmt::format("step option '{}': expected KEY=VALUE", a));
  const std::string key = a.substr(0, eq), v = a.substr(eq + 1);
  if (key == "gpus")
    gpus = whole_in(key, v, 1, 65536);
  else if (key == "pp")
    pp = whole_in(key, v, 1, 1024);
  else if (key == "ep")
    ep = whole_in(key, v, 1, 65536);
  else if (key == "seq")
    seq = whole_in(key, v, 1, 131072);
  else if (key == "global_batch_seqs")
    global_batch_seqs = whole_in(key, v, 1, 10'000'000);
  else if (key == "mtp")
    mtp = flag(key, v);
  else if (key == "skewed_routing")
    skewed_routing = flag(key, v);
  else if (key == "seed")
    seed = static_cast<std::uint64_t>(whole_in(key, v, 1, 1'000'000'000));
  else if (key == "skew_sigma") {
    std::size_t used = 0;
    try {
      skew_sigma = std::stod(v, &used);
    } catch (const std::exception&) {
      skew_sigma = -1;
    }
    // inf and 1e308 once gave a step time as if the loads were not skewed at all.
    if (used != v.size() || !(skew_sigma > 0 && skew_sigma <= 10)) {
      throw Error(fmt::format("step option skew_sigma: '{}' must be a number in (0, 10]", v));
    }
  } else {
    throw Error(
        fmt::format("unknown step option '{}'; known: gpus, pp, ep, seq, global_batch_seqs, mtp, "
                    "skewed_routing, skew_sigma, seed",
                    key));
  }
}

double tokens_per_gpu_second(double tokens_per_step, int gpus, double step_s) {
  if (!(step_s > 0) || gpus <= 0) throw Error("tokens per GPU-second: step time and GPU count must be > 0");
  return tokens_per_step / step_s / gpus;
}

double gpu_hours_per_trillion_tokens(double tokens_per_gpu_s) { return 1e12 / tokens_per_gpu_s / 3600; }

StepResult simulate_step(const HardwareSpec& spec, KernelPredictor& predictor, const comm::EpComm& comm,
                         const StepOptions& o, comm::RoutingSamples* routings) {
  const ModelShape shape = published_shape();
  StepResult res;
  res.gpu = spec.name;
  res.comm_model = comm.name();
  res.options = o;
  if (o.pp < 2 || o.pp % 2 != 0) throw Error(fmt::format("step: pp = {} must be even (DualPipe)", o.pp));
  if (o.gpus % (o.pp * o.ep) != 0) {
    throw Error(fmt::format("step: gpus = {} must be a multiple of pp x ep = {}", o.gpus, o.pp * o.ep));
  }
  res.dp = o.gpus / o.pp;
  res.expert_dp = o.gpus / (o.pp * o.ep);
  if (o.global_batch_seqs % res.dp != 0) {
    throw Error(fmt::format("step: global_batch_seqs = {} must divide over {} data-parallel pipelines",
                            o.global_batch_seqs, res.dp));
  }
  res.micro_batches = o.global_batch_seqs / res.dp;

  // ---- EP communication of one MoE layer
  comm::RoutingOptions ro = published_routing_options();
  ro.ep = o.ep;
  ro.gpus_per_node = spec.fabric.gpus_per_node;
  ro.tokens_per_gpu = o.seq;
  ro.skewed = o.skewed_routing;
  ro.skew_sigma = o.skew_sigma;
  ro.seed = o.seed;
  std::optional<comm::EpRouting> sampled;
  if (!routings) sampled = comm::sample_routing(shape.moe(), ro);
  const comm::EpRouting& routing = routings ? routings->get(shape.moe(), ro) : *sampled;
  const comm::TokenPayload payload = comm::token_payload(shape.moe());
  res.dispatch = comm.dispatch(spec, routing, payload);
  res.combine = comm.combine(spec, routing, payload);
  // HBM bandwidth the communication kernels take while they run (their buffer
  // traffic over their time; the same for the backward's reversed pair).
  OverlapContention contention;
  contention.hbm_Bps = spec.hbm_bytes_per_s() * spec.hbm.read_efficiency;
  contention.comm_hbm_Bps = (res.dispatch.hbm_read_bytes + res.dispatch.hbm_write_bytes + res.combine.hbm_read_bytes +
                             res.combine.hbm_write_bytes) /
                            (res.dispatch.time_s + res.combine.time_s);

  // ---- per-block costs for one micro-batch on one GPU
  // Compute kernels run on the SMs the communication kernels leave; in the
  // overlap they are also timed with the communication's HBM traffic drawing
  // its share of the power budget beside them.
  const int compute_sms = comm.sms_held() > 0 ? spec.sm.count - comm.sms_held() : 0;
  KernelTimer timer(predictor, compute_sms);
  KernelTimer timer_beside(predictor, compute_sms, contention.comm_hbm_Bps / 1e9);
  LayerOptions lo;
  lo.tokens_per_gpu = o.seq;
  lo.ep = o.ep;
  lo.routing = o.skewed_routing ? "skewed" : "balanced";
  lo.skew_sigma = o.skew_sigma;
  lo.seed = o.seed;
  auto costs = [&](const std::string& kind, const std::vector<LayerKernel>& kernels) {
    BlockCost c = block_compute_cost(kind, kernels, timer);
    c.set_beside(block_compute_cost(kind, kernels, timer_beside));
    return c;
  };
  // An MoE block: its compute and the EP all-to-all around its MLP. Backward:
  // the combine's gradient travels like a dispatch (FP8, V3 3.3.3), the
  // dispatch's gradient like a combine (BF16, reduced per token).
  auto moe_block = [&](const std::vector<LayerKernel>& kernels) {
    BlockCost c = costs("moe", kernels);
    c.dispatch_f = res.dispatch.time_s;
    c.combine_f = res.combine.time_s;
    c.combine_b = res.dispatch.time_s;
    c.dispatch_b = res.combine.time_s;
    return c;
  };
  const BlockCost moe = moe_block(moe_layer_kernels(shape, lo));
  const BlockCost dense = costs("dense", dense_layer_kernels(shape, lo));
  const BlockCost head = costs("head", head_kernels(shape, o.seq));
  res.moe_block = {moe};
  // The MTP module: its input projection (V3 2.2) ahead of an MoE block.
  std::vector<LayerKernel> mtp_kernels = mtp_projection_kernels(shape, o.seq);
  for (LayerKernel& k : moe_layer_kernels(shape, lo)) mtp_kernels.push_back(std::move(k));
  const BlockCost mtp = moe_block(mtp_kernels);

  // ---- stages: blocks in model order, ceil(blocks / pp) per stage; the
  // embedding (a gather, not timed) on the first stage, the output head (and
  // the MTP module's head) on the last.
  const int mtp_layers = o.mtp ? published_config().value("num_nextn_predict_layers", 0) : 0;
  std::vector<BlockCost> blocks;
  for (int l = 0; l < shape.layers; ++l) blocks.push_back(l < shape.dense_layers ? dense : moe);
  for (int m = 0; m < mtp_layers; ++m) blocks.push_back(mtp);
  const int per_stage = static_cast<int>((blocks.size() + static_cast<size_t>(o.pp) - 1) / static_cast<size_t>(o.pp));
  std::vector<std::vector<BlockCost>> stages(static_cast<size_t>(o.pp));
  for (size_t i = 0; i < blocks.size(); ++i)
    stages[std::min(i / static_cast<size_t>(per_stage), stages.size() - 1)].push_back(blocks[i]);
  for (int h = 0; h < 1 + mtp_layers; ++h) stages.back().push_back(head);
  for (size_t s = 0; s < stages.size(); ++s) {
    if (stages[s].empty()) throw Error(fmt::format("step: pp = {} leaves stage {} without layers", o.pp, s));
  }

  double flops_per_mb = 0, attention_flops_per_mb = 0, dense_params = 0, expert_params = 0;
  for (const auto& st : stages) {
    ChunkTimes t;
    for (const BlockCost& b : st) {
      t.f += b.forward();
      t.b += b.backward_input();
      t.w += b.backward_weight();
      flops_per_mb += b.flops;
      attention_flops_per_mb += b.attention_flops;
    }
    t.fb = overlapped_fb_s(st, contention);
    res.stage_times.push_back(t);
  }
  // Parameters one rank holds: DualPipe keeps two stages per rank (V3 Table 2);
  // the largest pair sets the optimizer time.
  for (int r = 0; r < o.pp / 2; ++r) {
    double d = 0, e = 0;
    for (const auto* st : {&stages[static_cast<size_t>(r)], &stages[static_cast<size_t>(o.pp - 1 - r)]}) {
      for (const BlockCost& b : *st) {
        d += b.params;
        e += b.expert_params;
      }
    }
    dense_params = std::max(dense_params, d);
    expert_params = std::max(expert_params, e);
  }
  dense_params += static_cast<double>(shape.vocab) * shape.hidden;  // embedding (first stage, rank 0)

  // ---- the schedule
  const interconnect::Cluster cluster(interconnect::ClusterParams::from_spec(spec, o.gpus));
  res.p2p_s = comm::send_recv(cluster, 0, res.dp, static_cast<double>(o.seq) * shape.hidden * 2).time_s;
  // Overlapped pairs: on rank r the forward and backward stages are r or
  // PP-1-r; time each combination from the two stages' blocks.
  std::vector<double> pair_fb(static_cast<size_t>(o.pp * o.pp), 0.0);
  for (int r = 0; r < o.pp; ++r) {
    for (int f : {r, o.pp - 1 - r}) {
      for (int b : {r, o.pp - 1 - r}) {
        pair_fb[static_cast<size_t>(f * o.pp + b)] =
            overlapped_fb_s(stages[static_cast<size_t>(f)], stages[static_cast<size_t>(b)], contention);
      }
    }
  }
  const DualPipeResult dp = simulate_dualpipe(res.stage_times, {o.pp, res.micro_batches, res.p2p_s, pair_fb});
  res.ranks = dp.ranks;

  // ---- ZeRO-1 optimizer (V3 3.2, 3.3.1): FP32 gradients reduce-scattered,
  // AdamW on the shard (FP32 master weights, BF16 moments), BF16 weights
  // all-gathered; dense weights over the dp GPUs of a pipeline rank, expert
  // weights over the expert_dp copies of each expert.
  std::vector<int> dp_group, expert_group;
  for (int g = 0; g < res.dp; ++g) dp_group.push_back(g);
  for (int g = 0; g < res.expert_dp; ++g) expert_group.push_back(g * o.ep);
  auto collective = [&](comm::Collective kind, double bytes, const std::vector<int>& group) {
    if (group.size() < 2 || bytes <= 0) return 0.0;
    res.optimizer_collectives.push_back(comm::ring_collective(cluster, kind, bytes, group));
    return res.optimizer_collectives.back().time_s;
  };
  double opt = collective(comm::Collective::kReduceScatter, dense_params * 4, dp_group);
  opt += collective(comm::Collective::kReduceScatter, expert_params * 4, expert_group);
  const double shard = dense_params / res.dp + expert_params / res.expert_dp;
  // Per parameter: read FP32 grad + FP32 master + 2 BF16 moments; write FP32
  // master + 2 BF16 moments + BF16 weight.
  opt += timer.seconds(make_kernel("opt.adamw_read", Phase::kBackwardWeight, "read",
                                   {{"bytes", std::llround(shard * 12)}}, "AdamW reads"));
  opt += timer.seconds(make_kernel("opt.adamw_write", Phase::kBackwardWeight, "write",
                                   {{"bytes", std::llround(shard * 10)}}, "AdamW writes"));
  opt += collective(comm::Collective::kAllGather, dense_params * 2, dp_group);
  opt += collective(comm::Collective::kAllGather, expert_params * 2, expert_group);
  res.optimizer_s = opt;

  // ---- headline numbers
  const RankBreakdown& r0 = dp.ranks.front();
  res.f_s = r0.f_s;
  res.b_s = r0.b_s;
  res.w_s = r0.w_s;
  res.fb_s = r0.fb_s;
  res.bubble_s = r0.bubble_s;
  res.step_s = dp.makespan_s + res.optimizer_s;
  res.tokens_per_step = static_cast<double>(o.global_batch_seqs) * o.seq;
  res.tokens_per_gpu_s = tokens_per_gpu_second(res.tokens_per_step, o.gpus, res.step_s);
  res.model_flops_per_token = flops_per_mb / o.seq;
  // Each rank runs every micro-batch through its two stages: per GPU, the
  // micro-batches times the mean stage's FLOPs times 2 / 2.
  const double per_gpu_causal = res.micro_batches * flops_per_mb / o.pp;
  const double per_gpu_noncausal = res.micro_batches * (flops_per_mb + attention_flops_per_mb) / o.pp;
  res.tflops_per_gpu_causal = per_gpu_causal / res.step_s / 1e12;
  res.tflops_per_gpu = per_gpu_noncausal / res.step_s / 1e12;
  res.mfu = res.tflops_per_gpu * 1e12 / spec.peak_flops(DataType::kBf16);
  res.gpu_hours_per_trillion_tokens = gpu_hours_per_trillion_tokens(res.tokens_per_gpu_s);
  res.distinct_kernels = timer.distinct();
  return res;
}

nlohmann::json StepResult::to_json() const {
  nlohmann::json stages = nlohmann::json::array(), ranks_j = nlohmann::json::array(), coll = nlohmann::json::array();
  for (const ChunkTimes& t : stage_times) stages.push_back({{"f_s", t.f}, {"b_s", t.b}, {"w_s", t.w}, {"fb_s", t.fb}});
  for (const RankBreakdown& r : ranks) {
    ranks_j.push_back(
        {{"f_s", r.f_s}, {"b_s", r.b_s}, {"w_s", r.w_s}, {"f_and_b_s", r.fb_s}, {"bubble_s", r.bubble_s}});
  }
  for (const auto& c : optimizer_collectives) coll.push_back(c.to_json());
  const BlockCost& m = moe_block.front();
  return {{"workload", "deepseek-v3-step"},
          {"gpu", gpu},
          {"comm_model", comm_model},
          {"options",
           {{"gpus", options.gpus},
            {"pp", options.pp},
            {"ep", options.ep},
            {"seq", options.seq},
            {"global_batch_seqs", options.global_batch_seqs},
            {"mtp", options.mtp},
            {"skewed_routing", options.skewed_routing},
            {"skew_sigma", options.skew_sigma},
            {"seed", options.seed}}},
          {"micro_batches", micro_batches},
          {"dp", dp},
          {"expert_dp", expert_dp},
          {"step_s", step_s},
          {"breakdown_s",
           {{"1F", f_s}, {"1B", b_s}, {"1W", w_s}, {"1F1B", fb_s}, {"bubble", bubble_s}, {"optimizer", optimizer_s}}},
          {"tokens_per_step", tokens_per_step},
          {"tokens_per_gpu_s", tokens_per_gpu_s},
          {"model_gflops_per_token", model_flops_per_token / 1e9},
          {"tflops_per_gpu", tflops_per_gpu},
          {"tflops_per_gpu_causal", tflops_per_gpu_causal},
          {"mfu", mfu},
          {"gpu_hours_per_trillion_tokens", gpu_hours_per_trillion_tokens},
          {"p2p_s", p2p_s},
          {"moe_layer_s",
           {{"attn_f", m.attn_f},
            {"mlp_f", m.mlp_f},
            {"attn_b", m.attn_b},
            {"mlp_b", m.mlp_b},
            {"attn_w", m.attn_w},
            {"mlp_w", m.mlp_w},
            {"dispatch", m.dispatch_f},
            {"combine", m.combine_f}}},
          {"dispatch", dispatch.to_json()},
          {"combine", combine.to_json()},
          {"optimizer_collectives", coll},
          {"stages", stages},
          {"ranks", ranks_j},
          {"distinct_kernels", distinct_kernels}};
}

}  // namespace hwsim::deepseek_v3
