#include "workloads/deepseek_v3/layer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include "models/spec/error.hpp"

namespace hwsim::deepseek_v3 {
namespace {

// DeepGEMM's contiguous grouped layout aligns each expert's rows to its
// BLOCK_M of 128 (REFERENCE C2); the padding rows are computed too.
constexpr int kGroupAlignRows = 128;
constexpr int kScaleGroup = 128;  // 1x128 / 128x128 scaling groups (V3 3.3.2)

nlohmann::json fp8_gemm(int m, int n, int k, const char* out) {
  return {{"m", m},
          {"n", n},
          {"k", k},
          {"a_dtype", "fp8_e4m3"},
          {"b_dtype", "fp8_e4m3"},
          {"out_dtype", out},
          {"scaling", "block_1x128_128x128"},
          {"fast_accum", false}};
}

// A linear layer y[m,n] = x[m,k] W[n,k]^T of the FP8 recipe (V3 3.3): its
// forward GEMM and, in the backward, the quantization of dy, the Dgrad GEMM,
// the transposed 128x1 re-quantizations of dy and x, and the Wgrad GEMM.
// The routed experts are one grouped linear: `groups` lists each local
// expert's (aligned) rows, m is their sum, and each expert has its own W.
struct Linear {
  std::string name;
  int m, n, k;
  int count;
  std::string stands_for;
  std::vector<int> groups = {};  // rows of each expert; empty: a plain linear
};

// The FP8 GEMM of a linear: one gemm, or for the experts one grouped_gemm
// launch over all of them (DeepGEMM's m-grouped contiguous layout).
std::pair<std::string, nlohmann::json> linear_gemm(const Linear& l, int m, int n, int k) {
  if (l.groups.empty()) return {"gemm", fp8_gemm(m, n, k, "bf16")};
  auto p = fp8_gemm(m, n, k, "bf16");
  p.erase("m");
  p.erase("fast_accum");
  p["groups"] = static_cast<int>(l.groups.size());
  if (std::all_of(l.groups.begin(), l.groups.end(), [&](int r) { return r == l.groups.front(); }))
    p["m_per_group"] = l.groups.front();
  else
    p["group_rows"] = fmt::format("{}", fmt::join(l.groups, ","));
  return {"grouped_gemm", p};
}

class Builder {
 public:
  void add(std::string name, Phase phase, std::string kind, nlohmann::json params, int count, std::string stands_for) {
    out_.push_back({std::move(name), phase, std::move(kind), std::move(params), count, std::move(stands_for)});
  }
  // A 1x128 quantization of `producer`'s BF16 output feeding linear `l`'s
  // forward GEMM and, in the backward, the re-quantization of l's input.
  void quant_for(std::string name, const std::string& producer, const Linear& l, int rows, int cols,
                 std::string stands_for) {
    add(std::move(name), Phase::kForward, "quant_1x128", {{"m", rows}, {"k", cols}}, 1, std::move(stands_for));
    out_.back().producer = producer;
    out_.back().consumers = {"fwd." + l.name};
    for (auto& r : requant_x_names(l)) out_.back().consumers.push_back(std::move(r));
  }
  void forward(const Linear& l) {
    auto [kind, params] = linear_gemm(l, l.m, l.n, l.k);
    add("fwd." + l.name, Phase::kForward, kind, std::move(params), l.count,
        "DeepGEMM FP8 GEMM, 1x128/128x128 scales, BF16 out: " + l.stands_for);
  }
  // The output gradient's columns become the reduction (K) of the Dgrad GEMM
  // and are quantized in 1x128 groups: DeepGEMM and the quantization kernels
  // need K % 128 == 0, so a width like the fused q/kv_a projection's 2112 is
  // zero-padded to the next multiple of 128.
  void backward(const Linear& l) {
    const int n_pad = (l.n + kScaleGroup - 1) / kScaleGroup * kScaleGroup;
    add("bwd.quant_dy." + l.name, Phase::kBackwardInput, "quant_1x128", {{"m", l.m}, {"k", n_pad}}, l.count,
        "1x128 FP8 quantization of the output gradient");
    out_.back().producer = last_backward_producer_;
    out_.back().consumers = {"bwd.dgrad." + l.name};
    auto [kind, params] = linear_gemm(l, l.m, l.k, n_pad);
    add("bwd.dgrad." + l.name, Phase::kBackwardInput, kind, std::move(params), l.count,
        "DeepGEMM FP8 Dgrad: dx = dy W (W's 128x128 blocks transpose for free)");
    const size_t quant_dy = out_.size() - 2;
    // The weight gradients of the experts stay one gemm per expert: they
    // reduce over each expert's tokens (a K-grouped GEMM, DeepGEMM's
    // k_grouped), which per-expert launches of the same shapes stand for.
    // Experts with equal rows share one entry.
    std::map<int, int> classes;  // rows -> experts
    if (l.groups.empty()) classes[l.m] = l.count;
    for (int rows : l.groups) ++classes[rows];
    for (const auto& [rows, experts] : classes) {
      const std::string suffix = l.groups.empty() ? l.name : fmt::format("{}.m{}", l.name, rows);
      out_[quant_dy].consumers.push_back("bwd.requant_dy_t." + suffix);
      add("bwd.requant_dy_t." + suffix, Phase::kBackwardWeight, "transpose_requant", {{"m", rows}, {"k", n_pad}},
          experts, "dequantize, transpose and re-quantize dy into 128x1 tiles (V3 3.5.2)");
      out_.back().consumers = {"bwd.wgrad." + suffix};
      add("bwd.requant_x_t." + suffix, Phase::kBackwardWeight, "transpose_requant", {{"m", rows}, {"k", l.k}}, experts,
          "dequantize, transpose and re-quantize the cached FP8 input into 128x1 tiles (V3 3.5.2)");
      out_.back().consumers = {"bwd.wgrad." + suffix};
      auto wgrad = fp8_gemm(l.n, l.k, rows, "fp32");
      wgrad["scaling"] = "block_1x128_1x128";  // dy^T and x^T both re-quantized along tokens (128x1 tiles)
      wgrad["accumulate"] = true;
      add("bwd.wgrad." + suffix, Phase::kBackwardWeight, "gemm", wgrad, experts,
          "DeepGEMM FP8 Wgrad: dW += dy^T x into the FP32 gradient buffer, accumulated over the step's "
          "micro-batches (V3 3.3.1)");
    }
  }
  // Names of a linear's re-quantizations of its input x (one per expert row class).
  static std::vector<std::string> requant_x_names(const Linear& l) {
    std::set<int> rows(l.groups.begin(), l.groups.end());
    if (l.groups.empty()) return {"bwd.requant_x_t." + l.name};
    std::vector<std::string> out;
    for (int r : rows) out.push_back(fmt::format("bwd.requant_x_t.{}.m{}", l.name, r));
    return out;
  }
  // The kernel whose BF16 output the next backward quantization reads.
  void set_backward_producer(std::string name) { last_backward_producer_ = std::move(name); }
  LayerKernel& last() { return out_.back(); }
  std::vector<LayerKernel> take() { return std::move(out_); }

 private:
  std::vector<LayerKernel> out_;
  std::string last_backward_producer_;
};

// A memory-bound pass of the training framework (no FLOPs worth modelling):
// bytes read and written, rounded up to the 16-byte vectors the kernel moves.
nlohmann::json pass(double read_bytes, double write_bytes) {
  auto v16 = [](double b) { return static_cast<std::int64_t>((static_cast<std::int64_t>(b) + 15) / 16 * 16); };
  return {{"read_bytes", v16(read_bytes)}, {"write_bytes", v16(write_bytes)}};
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int align_up(int v, int a) { return (v + a - 1) / a * a; }

}  // namespace

std::string to_string(Phase p) {
  switch (p) {
    case Phase::kForward:
      return "forward";
    case Phase::kBackwardInput:
      return "backward_input";
    case Phase::kBackwardWeight:
      return "backward_weight";
  }
  return "?";
}

std::vector<int> local_expert_tokens(const ModelShape& s, const LayerOptions& o) {
  if (o.tokens_per_gpu <= 0) throw Error(fmt::format("--tokens {}: must be > 0", o.tokens_per_gpu));
  if (o.ep <= 0 || s.routed_experts % o.ep != 0) {
    throw Error(fmt::format("expert parallelism {} must divide the {} routed experts", o.ep, s.routed_experts));
  }
  const int local = s.routed_experts / o.ep;
  // Every GPU of the EP group holds tokens_per_gpu tokens, each routed to
  // experts_per_token experts: the mean load per expert.
  const double mean = static_cast<double>(o.tokens_per_gpu) * o.ep * s.experts_per_token / s.routed_experts;
  std::vector<double> load(static_cast<size_t>(s.routed_experts), mean);
  if (o.routing == "skewed") {
    // Lognormal loads (Box-Muller on a seeded splitmix64), renormalised to the
    // same total; this GPU hosts the most loaded group of `local` experts.
    std::uint64_t state = o.seed;
    double total = 0;
    for (auto& l : load) {
      const double u1 = (static_cast<double>(splitmix64(state) >> 11) + 0.5) / 9007199254740992.0;
      const double u2 = (static_cast<double>(splitmix64(state) >> 11) + 0.5) / 9007199254740992.0;
      const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
      l = std::exp(o.skew_sigma * z);
      total += l;
    }
    for (auto& l : load) l *= mean * s.routed_experts / total;
    int best = 0;
    double best_sum = -1;
    for (int g = 0; g < o.ep; ++g) {
      const double sum = std::accumulate(load.begin() + g * local, load.begin() + (g + 1) * local, 0.0);
      if (sum > best_sum) {
        best_sum = sum;
        best = g;
      }
    }
    std::rotate(load.begin(), load.begin() + best * local, load.end());
  } else if (o.routing != "balanced") {
    throw Error(fmt::format("--routing {}: expected balanced or skewed", o.routing));
  }
  std::vector<int> tokens;
  for (int e = 0; e < local; ++e) tokens.push_back(static_cast<int>(std::lround(load[static_cast<size_t>(e)])));
  return tokens;
}

std::vector<LayerKernel> moe_layer_kernels(const ModelShape& s, const LayerOptions& o) {
  const int t = o.tokens_per_gpu;
  const int h = s.hidden;
  const int qk_head = s.qk_nope_head_dim + s.qk_rope_head_dim;
  const int kv_a_out = s.kv_lora_rank + s.qk_rope_head_dim;
  const int attn_out = s.heads * s.v_head_dim;
  const int expert_up = 2 * s.moe_intermediate;  // gate and up projections fused

  // Each local expert's rows, aligned as DeepGEMM's contiguous layout needs.
  std::vector<int> expert_rows;
  int routed_rows = 0;
  double routed_tokens = 0;  // (token, local expert) pairs received
  for (int tokens : local_expert_tokens(s, o)) {
    const int rows = align_up(std::max(tokens, 1), kGroupAlignRows);
    expert_rows.push_back(rows);
    routed_rows += rows;
    routed_tokens += tokens;
  }

  std::vector<Linear> attention_linears = {
      {"q_kv_a_proj", t, s.q_lora_rank + kv_a_out, h, 1, "MLA q_a and kv_a projections, fused"},
      {"q_b_proj", t, s.heads * qk_head, s.q_lora_rank, 1, "MLA q_b projection"},
      {"kv_b_proj", t, s.heads * (s.qk_nope_head_dim + s.v_head_dim), s.kv_lora_rank, 1, "MLA kv_b projection"},
      {"o_proj", t, h, attn_out, 1, "attention output projection"},
  };
  // The routed experts: one grouped GEMM launch per projection over all local
  // experts (DeepGEMM m-grouped, contiguous layout).
  const Linear expert_up_linear{
      "expert_up", routed_rows, expert_up, h, 1, "routed experts' gate+up projection (contiguous grouped GEMM)",
      expert_rows};
  const Linear expert_down_linear{
      "expert_down", routed_rows, h, s.moe_intermediate, 1, "routed experts' down projection (contiguous grouped GEMM)",
      expert_rows};
  const Linear shared_up{"shared_up", t, expert_up * s.shared_experts, h, 1, "shared expert gate+up projection"};
  const Linear shared_down{
      "shared_down", t, h, s.moe_intermediate * s.shared_experts, 1, "shared expert down projection"};

  const nlohmann::json attention = {
      {"seq", t}, {"heads", s.heads}, {"qk_dim", qk_head}, {"v_dim", s.v_head_dim}, {"causal", true}};
  // Framework passes around the kernels above (bytes of BF16 tensors unless said).
  const double th = double(t) * h * 2;                                   // one [t, hidden] activation
  const double pe = (double(t) * s.heads + t) * s.qk_rope_head_dim * 2;  // q_pe (per head) + shared k_pe
  const double k_full = double(t) * s.heads * qk_head * 2;               // K as attention reads it
  const double k_nope = double(t) * s.heads * s.qk_nope_head_dim * 2;
  const double fp8_row = h + h / kScaleGroup * 4.0;       // FP8 token + 1x128 scales
  const double routed_out = double(routed_rows) * h * 2;  // expert outputs, BF16
  const double o_bytes = double(t) * s.heads * s.v_head_dim * 2;
  Builder b;
  // ---- forward
  b.add("fwd.attn_norm", Phase::kForward, "rmsnorm", {{"m", t}, {"n", h}}, 1, "RMSNorm before attention");
  b.quant_for("fwd.attn_norm_quant", "fwd.attn_norm", attention_linears[0], t, h, "1x128 FP8 cast for q/kv_a");
  b.forward(attention_linears[0]);
  b.add("fwd.q_a_norm", Phase::kForward, "rmsnorm", {{"m", t}, {"n", s.q_lora_rank}}, 1, "MLA q_a RMSNorm");
  b.add("fwd.kv_a_norm", Phase::kForward, "rmsnorm", {{"m", t}, {"n", s.kv_lora_rank}}, 1, "MLA kv_a RMSNorm");
  b.quant_for("fwd.q_b_quant", "fwd.q_a_norm", attention_linears[1], t, s.q_lora_rank, "1x128 FP8 cast for q_b");
  b.quant_for("fwd.kv_b_quant", "fwd.kv_a_norm", attention_linears[2], t, s.kv_lora_rank, "1x128 FP8 cast for kv_b");
  b.forward(attention_linears[1]);
  b.forward(attention_linears[2]);
  b.add("fwd.rope", Phase::kForward, "elementwise", pass(pe, pe), 1,
        "RoPE on the decoupled q_pe (per head) and the shared k_pe (V3 2.1.1)");
  b.add("fwd.k_concat", Phase::kForward, "elementwise",
        pass(k_nope + pe - double(t) * s.heads * s.qk_rope_head_dim * 2, k_full), 1,
        "K assembled as the attention kernel reads it: k_nope per head with the shared k_pe broadcast to every head");
  b.add(
      "fwd.attention", Phase::kForward, "attention",
      [&] {
        auto a = attention;
        a["pass"] = "fwd";
        return a;
      }(),
      1, "BF16 FlashAttention-style MLA core (kept in BF16, V3 3.3.1)");
  b.quant_for("fwd.o_quant", "fwd.attention", attention_linears[3], t, attn_out, "1x128 FP8 cast for o_proj");
  // V3 3.3.3: the attention output, which the attention backward reads again,
  // is cached in the customized E5M6 format instead of BF16 (12 bits per value,
  // packed: an assumption, V3 gives no layout) with its 1x128 scales.
  const double o_e5m6 = double(t) * attn_out * 1.5 + double(t) * attn_out / kScaleGroup * 4;
  b.add("fwd.o_cache_e5m6", Phase::kForward, "elementwise", pass(o_bytes, o_e5m6), 1,
        "attention output cached in E5M6 with 1x128 scales for the backward (V3 3.3.3)");
  b.forward(attention_linears[3]);
  b.add("fwd.attn_residual_add", Phase::kForward, "elementwise", pass(2 * th, th), 1, "residual add after attention");
  b.add("fwd.mlp_norm", Phase::kForward, "rmsnorm", {{"m", t}, {"n", h}}, 1, "RMSNorm before the MoE");
  b.add("fwd.mlp_norm_quant", Phase::kForward, "quant_1x128", {{"m", t}, {"k", h}}, 1,
        "1x128 FP8 cast before dispatch (FP8 all-to-all, V3 3.3.3)");
  b.last().producer = "fwd.mlp_norm";
  b.last().consumers = {"dispatch"};  // the all-to-all sends FP8; the experts read what arrives
  b.add("fwd.router", Phase::kForward, "gemm",
        {{"m", t},
         {"n", s.routed_experts},
         {"k", h},
         {"a_dtype", "bf16"},
         {"b_dtype", "bf16"},
         {"out_dtype", "fp32"},
         {"scaling", "none"},
         {"fast_accum", false}},
        1, "MoE gating GEMM, kept in BF16 (V3 3.3.1)");
  b.add("fwd.router_topk", Phase::kForward, "elementwise",
        pass(double(t) * s.routed_experts * 4, double(t) * s.experts_per_token * 12), 1,
        "gating: sigmoid affinities, node-limited group top-k and top-8 selection over the FP32 scores (V3 2.1.2)");
  b.add("fwd.expert_permute", Phase::kForward, "elementwise",
        pass(routed_tokens * fp8_row, double(routed_rows) * fp8_row), 1,
        "received FP8 tokens and scales copied into the experts' contiguous 128-aligned layout (grouped GEMM input)");
  b.forward(expert_up_linear);
  b.add("fwd.expert_swiglu", Phase::kForward, "swiglu", {{"m", routed_rows}, {"n", s.moe_intermediate}}, 1,
        "SwiGLU of the routed experts");
  b.add("fwd.expert_swiglu_quant", Phase::kForward, "quant_1x128", {{"m", routed_rows}, {"k", s.moe_intermediate}}, 1,
        "1x128 FP8 cast for the expert down projection");
  b.last().producer = "fwd.expert_swiglu";
  b.last().consumers.push_back("fwd." + expert_down_linear.name);
  for (auto& r : Builder::requant_x_names(expert_down_linear)) b.last().consumers.push_back(std::move(r));
  b.forward(expert_down_linear);
  b.add("fwd.expert_unpermute", Phase::kForward, "elementwise", pass(routed_out, routed_out), 1,
        "expert outputs gathered back into the received tokens' order for the combine (upper bound: one row per "
        "(token, expert) pair)");
  b.forward(shared_up);
  b.add("fwd.shared_swiglu", Phase::kForward, "swiglu", {{"m", t}, {"n", s.moe_intermediate}}, 1,
        "SwiGLU, shared expert");
  b.quant_for("fwd.shared_swiglu_quant", "fwd.shared_swiglu", shared_down, t, s.moe_intermediate,
              "1x128 FP8 cast for the shared down projection");
  b.forward(shared_down);
  b.add("fwd.mlp_residual_add", Phase::kForward, "elementwise", pass(3 * th, th), 1,
        "residual add of the shared expert's and the combined routed experts' outputs");

  // ---- backward, in reverse order of the forward
  b.set_backward_producer("combine");  // the gradient arrives through the combine's backward
  b.backward(shared_down);
  b.add("bwd.shared_swiglu", Phase::kBackwardInput, "swiglu", {{"m", t}, {"n", s.moe_intermediate}}, 2,
        "SwiGLU recompute from its cached FP8 input and its gradient (V3 3.3.3), two elementwise passes");
  b.set_backward_producer("bwd.shared_swiglu");
  b.backward(shared_up);
  b.set_backward_producer("combine");
  b.add("bwd.expert_permute", Phase::kBackwardInput, "elementwise",
        pass(routed_tokens * fp8_row, double(routed_rows) * fp8_row), 1,
        "received FP8 output gradients copied into the experts' contiguous layout");
  b.backward(expert_down_linear);
  b.add("bwd.expert_swiglu", Phase::kBackwardInput, "swiglu", {{"m", routed_rows}, {"n", s.moe_intermediate}}, 2,
        "SwiGLU recompute and gradient of the routed experts, two elementwise passes");
  b.set_backward_producer("bwd.expert_swiglu");
  b.backward(expert_up_linear);
  b.add("bwd.expert_unpermute", Phase::kBackwardInput, "elementwise", pass(routed_out, routed_out), 1,
        "input gradients of the experts gathered into the received tokens' order for the dispatch's backward");
  b.add("bwd.router_dgrad", Phase::kBackwardInput, "gemm",
        {{"m", t},
         {"n", h},
         {"k", s.routed_experts},
         {"a_dtype", "bf16"},
         {"b_dtype", "bf16"},
         {"out_dtype", "bf16"},
         {"scaling", "none"},
         {"fast_accum", false}},
        1, "gating Dgrad in BF16");
  b.add("bwd.mlp_norm", Phase::kBackwardInput, "rmsnorm", {{"m", t}, {"n", h}}, 2,
        "RMSNorm recompute (V3 3.2.3) and its gradient, two passes");
  b.add("bwd.mlp_residual_grad", Phase::kBackwardInput, "elementwise", pass(2 * th, th), 1,
        "residual gradient add around the MoE block");
  b.set_backward_producer("bwd.mlp_norm");
  b.backward(attention_linears[3]);
  // V3 3.2.3: "we recompute all RMSNorm operations and MLA up-projections during
  // back-propagation", so Q, K and V, which the attention backward reads, are
  // rebuilt from the stored latents: the two up-projections on the recomputed
  // norms (counted in bwd.q_kv_a_norm), RoPE on q_pe / k_pe and the K assembly.
  for (int i : {1, 2}) {
    const Linear& l = attention_linears[static_cast<size_t>(i)];
    const std::string quant = "bwd.recompute." + l.name.substr(0, l.name.size() - 5) + "_quant";  // q_b / kv_b
    b.add(quant, Phase::kBackwardInput, "quant_1x128", {{"m", l.m}, {"k", l.k}}, 1,
          "1x128 FP8 cast of the recomputed latent RMSNorm output for the recomputed " + l.name + " (V3 3.2.3)");
    // Its producer is the norm's recompute pass (bwd.q_kv_a_norm runs recompute and gradient).
    b.last().producer = "bwd.q_kv_a_norm";
    b.last().consumers = {"bwd.recompute." + l.name};
    b.add("bwd.recompute." + l.name, Phase::kBackwardInput, "gemm", fp8_gemm(l.m, l.n, l.k, "bf16"), l.count,
          "MLA up-projection recomputed in the backward instead of stored (V3 3.2.3): " + l.stands_for);
  }
  b.add("bwd.recompute.rope", Phase::kBackwardInput, "elementwise", pass(pe, pe), 1,
        "RoPE on the recomputed q_pe and k_pe (V3 3.2.3 recomputation)");
  b.add("bwd.recompute.k_concat", Phase::kBackwardInput, "elementwise",
        pass(k_nope + pe - double(t) * s.heads * s.qk_rope_head_dim * 2, k_full), 1,
        "K reassembled from the recomputed k_nope and k_pe for the attention backward");
  b.add("bwd.o_cast_back", Phase::kBackwardInput, "elementwise", pass(o_e5m6, o_bytes), 1,
        "cached E5M6 attention output cast back to BF16 for the attention backward (V3 3.3.3)");
  b.add("bwd.attention_preprocess", Phase::kBackwardInput, "elementwise", pass(2 * o_bytes, double(t) * s.heads * 4), 1,
        "attention backward's D = rowsum(dO * O) (FA2/FA3 preprocess)");
  b.add(
      "bwd.attention", Phase::kBackwardInput, "attention",
      [&] {
        auto a = attention;
        a["pass"] = "bwd";
        return a;
      }(),
      1, "BF16 FlashAttention-style MLA backward");
  b.add("bwd.attention_postprocess", Phase::kBackwardInput, "elementwise", pass(k_full * 2, k_full), 1,
        "FP32 dQ accumulator converted to BF16 (FA3 postprocess)");
  b.add("bwd.k_split", Phase::kBackwardInput, "elementwise", pass(k_full, k_nope + double(t) * s.qk_rope_head_dim * 4),
        1, "dK split into dk_nope per head and dk_pe summed over the heads");
  b.add("bwd.rope", Phase::kBackwardInput, "elementwise", pass(pe, pe), 1, "RoPE backward on dq_pe and dk_pe");
  b.set_backward_producer("bwd.attention");
  b.backward(attention_linears[2]);
  b.backward(attention_linears[1]);
  b.add("bwd.q_kv_a_norm", Phase::kBackwardInput, "rmsnorm", {{"m", t}, {"n", s.q_lora_rank + s.kv_lora_rank}}, 2,
        "MLA RMSNorm recompute and gradient");
  b.set_backward_producer("bwd.q_kv_a_norm");
  b.backward(attention_linears[0]);
  b.add("bwd.attn_norm", Phase::kBackwardInput, "rmsnorm", {{"m", t}, {"n", h}}, 2,
        "RMSNorm recompute and its gradient, two passes");
  b.add("bwd.attn_residual_grad", Phase::kBackwardInput, "elementwise", pass(2 * th, th), 1,
        "residual gradient add around the attention block");
  b.add("bwd.router_wgrad", Phase::kBackwardWeight, "gemm",
        {{"m", s.routed_experts},
         {"n", h},
         {"k", t},
         {"a_dtype", "bf16"},
         {"b_dtype", "bf16"},
         {"out_dtype", "fp32"},
         {"scaling", "none"},
         {"fast_accum", false}},
        1, "gating Wgrad in BF16");
  b.last().params["accumulate"] = true;
  return b.take();
}

std::vector<LayerKernel> mtp_projection_kernels(const ModelShape& s, int t) {
  const int h = s.hidden;
  // V3 2.2: h'_i = M [RMSNorm(h_i); RMSNorm(Emb(t_{i+1}))], M of hidden x
  // 2 hidden, before the module's Transformer block. A Linear, so FP8 (V3 3.3
  // keeps BF16/FP32 only for the embedding, the output head, gating, norms and
  // attention). The two norms write the halves of the concatenated input.
  const Linear proj{"mtp_proj", t, h, 2 * h, 1, "MTP module projection of [RMSNorm(h); RMSNorm(Emb)] (V3 2.2)"};
  Builder b;
  b.add("fwd.mtp_norm", Phase::kForward, "rmsnorm", {{"m", t}, {"n", h}}, 2,
        "MTP RMSNorms of the previous depth's hidden state and of the shifted token embeddings");
  b.quant_for("fwd.mtp_proj_quant", "fwd.mtp_norm", proj, t, 2 * h, "1x128 FP8 cast for the MTP projection");
  b.forward(proj);
  b.set_backward_producer("bwd.mtp_proj_input");  // the gradient the module's block hands back
  b.backward(proj);
  b.add("bwd.mtp_norm", Phase::kBackwardInput, "rmsnorm", {{"m", t}, {"n", h}}, 4,
        "the two MTP RMSNorms recomputed (V3 3.2.3) and their gradients");
  return b.take();
}

}  // namespace hwsim::deepseek_v3
