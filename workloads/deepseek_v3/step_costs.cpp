#include "workloads/deepseek_v3/step_costs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

namespace hwsim::deepseek_v3 {
namespace {

// The MLP half of a layer's kernel list (the rest is attention): the MoE
// kernels by their names in layer.cpp.
bool is_mlp(const std::string& name) {
  return name.find("expert_") != std::string::npos || name.find("shared_") != std::string::npos ||
         name.find("router") != std::string::npos || name.find("mlp_norm") != std::string::npos ||
         name.find("mlp_residual") != std::string::npos || name.find("dense_mlp") != std::string::npos ||
         name.find("head") != std::string::npos || name.find("loss") != std::string::npos;
}

}  // namespace

LayerKernel make_kernel(std::string name, Phase phase, std::string kind, nlohmann::json params,
                        std::string stands_for) {
  LayerKernel k;
  k.name = std::move(name);
  k.phase = phase;
  k.kind = std::move(kind);
  k.params = std::move(params);
  k.stands_for = std::move(stands_for);
  return k;
}

const KernelTimer::Timed& KernelTimer::lookup(const LayerKernel& k) {
  nlohmann::json params = k.params;
  if (sms_ > 0) params["sms"] = sms_;
  if (beside_ > 0) params["beside_hbm_GBps"] = beside_;
  const std::string key = k.kind + params.dump();
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    const Prediction p = predictor_.predict(k.kind, params);
    if (!p.time_us)
      throw Error(fmt::format("kernel {} ({}): the timing model cannot run it: {}", k.name, k.kind, p.error));
    it = cache_.emplace(key, Timed{sim::seconds_from_us(*p.time_us), p.detail.value("hbm_bytes", 0.0)}).first;
  }
  return it->second;
}

double KernelTimer::seconds(const LayerKernel& k) { return lookup(k).s * k.count; }
double KernelTimer::hbm_bytes(const LayerKernel& k) { return lookup(k).hbm_bytes * k.count; }

void BlockCost::set_beside(const BlockCost& beside) {
  attn_f_beside = beside.attn_f;
  mlp_f_beside = beside.mlp_f;
  mlp_bw_beside = beside.mlp_b + beside.mlp_w;
  attn_bw_beside = beside.attn_b + beside.attn_w;
}

BlockCost block_compute_cost(const std::string& kind, const std::vector<LayerKernel>& kernels, KernelTimer& timer) {
  BlockCost c;
  c.kind = kind;
  for (const LayerKernel& k : kernels) {
    const double s = timer.seconds(k);
    const double bytes = timer.hbm_bytes(k);
    const bool mlp = is_mlp(k.name);
    switch (k.phase) {
      case Phase::kForward:
        (mlp ? c.mlp_f : c.attn_f) += s;
        (mlp ? c.mlp_f_hbm : c.attn_f_hbm) += bytes;
        break;
      case Phase::kBackwardInput:
        (mlp ? c.mlp_b : c.attn_b) += s;
        (mlp ? c.mlp_bw_hbm : c.attn_bw_hbm) += bytes;
        break;
      case Phase::kBackwardWeight:
        (mlp ? c.mlp_w : c.attn_w) += s;
        (mlp ? c.mlp_bw_hbm : c.attn_bw_hbm) += bytes;
        break;
    }
    const KernelWork w = kernel_work(k.kind, k.params);
    // Model FLOPs (MFU's convention, ISCA Table 4): recomputation is work the
    // GPU does, not FLOPs the model needs, so it takes time but is not counted.
    if (!k.name.starts_with("bwd.recompute.")) c.flops += w.flops * k.count;
    if (k.kind == "attention") c.attention_flops += w.flops * k.count;
    // Weights: n x k of every forward GEMM (Wgrad's output would count them
    // again). Local experts are data parallel over fewer GPUs.
    // A grouped GEMM holds one weight matrix per group (expert).
    if (k.phase == Phase::kForward && (k.kind == "gemm" || k.kind == "grouped_gemm")) {
      const double n = k.params["n"].get<double>(), kk = k.params["k"].get<double>();
      const double matrices = k.kind == "grouped_gemm" ? k.params["groups"].get<double>() : 1.0;
      (k.name.find("expert_") != std::string::npos ? c.expert_params : c.params) += n * kk * matrices * k.count;
    }
  }
  return c;
}

std::vector<LayerKernel> dense_layer_kernels(const ModelShape& shape, const LayerOptions& options) {
  ModelShape dense = shape;
  dense.moe_intermediate = shape.dense_intermediate;
  dense.shared_experts = 1;
  std::vector<LayerKernel> out;
  for (LayerKernel& k : moe_layer_kernels(dense, options)) {
    if (k.name.find("expert_") != std::string::npos || k.name.find("router") != std::string::npos) continue;
    const auto at = k.name.find("shared_");
    if (at != std::string::npos) k.name.replace(at, 7, "dense_mlp_");
    k.stands_for = "dense MLP (intermediate_size): " + k.stands_for;
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<LayerKernel> head_kernels(const ModelShape& s, int t) {
  auto bf16 = [](int m, int n, int k, const char* out) {
    return nlohmann::json{{"m", m},
                          {"n", n},
                          {"k", k},
                          {"a_dtype", "bf16"},
                          {"b_dtype", "bf16"},
                          {"out_dtype", out},
                          {"scaling", "none"},
                          {"fast_accum", false}};
  };
  // FP32 logits; byte counts are whole numbers in the record schema.
  const std::int64_t logits = static_cast<std::int64_t>(t) * s.vocab * 4;
  return {
      make_kernel("fwd.head", Phase::kForward, "gemm", bf16(t, s.vocab, s.hidden, "fp32"),
                  "output head, BF16 (V3 3.3.1)"),
      make_kernel("fwd.head_loss", Phase::kForward, "memcpy", {{"bytes", logits}},
                  "softmax cross-entropy over the logits"),
      make_kernel("bwd.head_loss", Phase::kBackwardInput, "memcpy", {{"bytes", logits}}, "gradient of the loss"),
      make_kernel("bwd.dgrad.head", Phase::kBackwardInput, "gemm", bf16(t, s.hidden, s.vocab, "bf16"), "head Dgrad"),
      make_kernel(
          "bwd.wgrad.head", Phase::kBackwardWeight, "gemm",
          [&] {
            auto p = bf16(s.vocab, s.hidden, t, "fp32");
            p["accumulate"] = true;
            return p;
          }(),
          "head Wgrad, accumulated into the FP32 gradient buffer"),
  };
}

double overlapped_fb_s(const std::vector<BlockCost>& blocks, const OverlapContention& contention) {
  return overlapped_fb_s(blocks, blocks, contention);
}

double overlapped_fb_s(const std::vector<BlockCost>& forward_blocks, const std::vector<BlockCost>& backward_blocks,
                       const OverlapContention& contention) {
  const double B = contention.hbm_Bps, r = contention.comm_hbm_Bps;
  if (!(B > 0) || r < 0 || r >= B) {
    throw Error(
        fmt::format("overlap: communication HBM rate {:.3g} B/s must be in [0, {:.3g}) (the HBM bandwidth)", r, B));
  }
  // Seconds a compute item of b HBM bytes loses per unit of communication duty.
  const double per_byte = 1.0 / (B - r) - 1.0 / B;
  enum Res { kCompute = 0, kComm = 1 };
  struct Item {
    Res res;
    double s;
    double hbm = 0;
    double beside = 0;  // time beside communication (0: as alone)
  };
  std::array<std::vector<Item>, 2> chain;  // 0: forward, 1: backward
  for (const BlockCost& b : forward_blocks) {
    for (const Item& i : {Item{kCompute, b.attn_f, b.attn_f_hbm, b.attn_f_beside}, Item{kComm, b.dispatch_f},
                          Item{kCompute, b.mlp_f, b.mlp_f_hbm, b.mlp_f_beside}, Item{kComm, b.combine_f}}) {
      if (i.s > 0) chain[0].push_back(i);
    }
  }
  for (auto it = backward_blocks.rbegin(); it != backward_blocks.rend(); ++it) {
    const BlockCost& b = *it;
    for (const Item& i :
         {Item{kComm, b.combine_b}, Item{kCompute, b.mlp_b + b.mlp_w, b.mlp_bw_hbm, b.mlp_bw_beside},
          Item{kComm, b.dispatch_b}, Item{kCompute, b.attn_b + b.attn_w, b.attn_bw_hbm, b.attn_bw_beside}}) {
      if (i.s > 0) chain[1].push_back(i);
    }
  }
  auto schedule = [&](double phi, double& comm_busy) {
    std::array<size_t, 2> next = {0, 0};
    std::array<double, 2> chain_ready = {0, 0}, res_free = {0, 0};
    comm_busy = 0;
    while (next[0] < chain[0].size() || next[1] < chain[1].size()) {
      int pick = -1;
      double best = 0;
      for (int c = 0; c < 2; ++c) {
        if (next[static_cast<size_t>(c)] >= chain[static_cast<size_t>(c)].size()) continue;
        const Item& i = chain[static_cast<size_t>(c)][next[static_cast<size_t>(c)]];
        const double start = std::max(chain_ready[static_cast<size_t>(c)], res_free[i.res]);
        if (pick < 0 || start < best) {
          pick = c;
          best = start;
        }
      }
      const Item& i = chain[static_cast<size_t>(pick)][next[static_cast<size_t>(pick)]++];
      const double d =
          i.res == kCompute ? i.s + phi * ((i.beside > 0 ? i.beside : i.s) - i.s) + phi * i.hbm * per_byte : i.s;
      if (i.res == kComm) comm_busy += d;
      chain_ready[static_cast<size_t>(pick)] = res_free[i.res] = best + d;
    }
    return std::max(chain_ready[0], chain_ready[1]);
  };
  double comm_busy = 0;
  double t = schedule(0.0, comm_busy);
  for (int pass = 0; pass < 2 && t > 0; ++pass) t = schedule(std::min(1.0, comm_busy / t), comm_busy);
  return t;
}

}  // namespace hwsim::deepseek_v3
