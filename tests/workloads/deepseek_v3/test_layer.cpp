// The DeepSeek-V3 layer's kernel list follows from config.json and the FP8
// recipe: its GEMM FLOPs equal twice the active linear parameters per token,
// the backward does twice the forward's GEMM work, and every FP8 GEMM input
// has a quantization producer.
#include <catch2/catch.hpp>
#include <numeric>
#include <set>
#include <sstream>

#include "models/spec/error.hpp"
#include "workloads/deepseek_v3/layer.hpp"

using namespace hwsim::deepseek_v3;

namespace {

bool is_gemm(const LayerKernel& k) { return k.kind == "gemm" || k.kind == "grouped_gemm"; }

// Rows of A of a GEMM launch: m, or for a grouped GEMM every group's rows.
double gemm_rows(const LayerKernel& k) {
  if (k.kind == "gemm") return k.params["m"].get<double>();
  if (k.params.contains("m_per_group")) return k.params["m_per_group"].get<double>() * k.params["groups"].get<double>();
  double rows = 0;
  std::stringstream list(k.params["group_rows"].get<std::string>());
  for (std::string item; std::getline(list, item, ',');) rows += std::stod(item);
  return rows;
}

double gemm_flops(const std::vector<LayerKernel>& ks, Phase phase, bool fp8_only) {
  double f = 0;
  for (const auto& k : ks) {
    if (!is_gemm(k) || k.phase != phase) continue;
    if (fp8_only && k.params["a_dtype"] != "fp8_e4m3") continue;
    f += 2.0 * gemm_rows(k) * k.params["n"].get<double>() * k.params["k"].get<double>() * k.count;
  }
  return f;
}

}  // namespace

TEST_CASE("the published config gives DeepSeek-V3's shapes") {
  const ModelShape s = published_shape();
  CHECK(s.hidden == 7168);
  CHECK(s.routed_experts == 256);
  CHECK(s.experts_per_token == 8);
  CHECK(s.q_lora_rank + s.kv_lora_rank + s.qk_rope_head_dim == 2112);
  CHECK_THROWS_WITH(ModelShape::from_config({{"hidden_size", 7168}}, "cfg.json"),
                    "cfg.json: 'q_lora_rank' must be a positive whole number");
}

TEST_CASE("forward FP8 GEMM FLOPs are twice the active linear parameters per token") {
  const ModelShape s = published_shape();
  LayerOptions o;
  o.tokens_per_gpu = 4096;
  const auto ks = moe_layer_kernels(s, o);
  // Active linear parameters of one MoE layer (attention + 8 routed + 1 shared expert).
  const double attention = 7168.0 * 2112 + 1536.0 * 128 * 192 + 512.0 * 128 * 256 + 128.0 * 128 * 7168;
  const double expert = 7168.0 * 4096 + 2048.0 * 7168;
  const double per_token = 2 * (attention + 9 * expert);
  CHECK(gemm_flops(ks, Phase::kForward, true) == Approx(per_token * 4096));
  // Dgrad and Wgrad each repeat the forward's work; the Dgrad of the fused
  // q/kv_a projection reduces over its 2112 output columns padded to 2176.
  // The backward also recomputes the two MLA up-projections (V3 3.2.3).
  const double up_projections = 2 * (1536.0 * 128 * 192 + 512.0 * 128 * 256);
  CHECK(gemm_flops(ks, Phase::kBackwardInput, true) == Approx((per_token + 2.0 * 7168 * 64 + up_projections) * 4096));
  CHECK(gemm_flops(ks, Phase::kBackwardWeight, true) == Approx(per_token * 4096));
}

TEST_CASE("balanced routing gives each local expert the mean load; skewed keeps the total") {
  const ModelShape s = published_shape();
  LayerOptions o;
  o.tokens_per_gpu = 4096;
  const auto balanced = local_expert_tokens(s, o);
  REQUIRE(balanced.size() == 4);
  for (int t : balanced) CHECK(t == 4096 * 64 * 8 / 256);
  o.routing = "skewed";
  const auto skewed = local_expert_tokens(s, o);
  int total = 0;
  for (int t : skewed) total += t;
  CHECK(total > 4 * 8192);                     // the most loaded GPU is the one modelled
  CHECK(skewed == local_expert_tokens(s, o));  // seeded: deterministic
  o.seed = 2;
  CHECK(skewed != local_expert_tokens(s, o));
  o.routing = "random";
  CHECK_THROWS_WITH(local_expert_tokens(s, o), "--routing random: expected balanced or skewed");
}

TEST_CASE("every FP8 GEMM operand has a quantization producer of the right shape") {
  const auto ks = moe_layer_kernels(published_shape(), LayerOptions{});
  int fwd_gemms = 0, fwd_quants = 0, requants = 0, wgrads = 0;
  for (const auto& k : ks) {
    const bool fp8 = is_gemm(k) && k.params["a_dtype"] == "fp8_e4m3";
    // A grouped GEMM counts one GEMM per group (expert).
    const int gemms = k.count * (k.kind == "grouped_gemm" ? k.params["groups"].get<int>() : 1);
    if (fp8 && k.phase == Phase::kForward) fwd_gemms += gemms;
    if (k.kind == "quant_1x128" && k.phase == Phase::kForward) fwd_quants += k.count;
    if (k.kind == "transpose_requant") requants += k.count;
    if (fp8 && k.phase == Phase::kBackwardWeight) {
      wgrads += k.count;
      CHECK(k.params["out_dtype"] == "fp32");
      CHECK(k.params["k"].get<int>() % 128 == 0);
    }
  }
  CHECK(requants == 2 * wgrads);  // dy^T and x^T for every Wgrad
  CHECK(fwd_quants >= 7);         // norms, q_b, kv_b, o, dispatch, two SwiGLU outputs
  CHECK(fwd_gemms == 4 + 4 + 4 + 2);
}

TEST_CASE("the routed experts run as one grouped GEMM per projection; their weight gradients per expert") {
  LayerOptions o;
  for (const char* routing : {"balanced", "skewed"}) {
    o.routing = routing;
    INFO(routing);
    const auto ks = moe_layer_kernels(published_shape(), o);
    const auto tokens = local_expert_tokens(published_shape(), o);
    int grouped = 0, expert_wgrads = 0;
    for (const auto& k : ks) {
      if (k.kind == "grouped_gemm") {
        ++grouped;
        CHECK(k.count == 1);
        CHECK(k.params["groups"] == static_cast<int>(tokens.size()));
        CHECK(k.name.find("expert_") != std::string::npos);
        // Each expert's rows hold its tokens, 128-aligned (DeepGEMM's contiguous layout).
        CHECK(gemm_rows(k) >= std::accumulate(tokens.begin(), tokens.end(), 0.0));
      }
      if (k.name.starts_with("bwd.wgrad.expert_")) expert_wgrads += k.count;
    }
    CHECK(grouped == 4);  // up and down, forward and Dgrad
    CHECK(expert_wgrads == 2 * static_cast<int>(tokens.size()));
  }
}

TEST_CASE("the data-flow links name kernels of the layer") {
  const auto ks = moe_layer_kernels(published_shape(), LayerOptions{});
  std::set<std::string> names;
  for (const auto& k : ks) CHECK(names.insert(k.name).second);  // names are unique
  int linked = 0;
  for (const auto& k : ks) {
    if (k.kind == "quant_1x128") CHECK_FALSE(k.producer.empty());
    for (const auto& c : k.consumers) {
      INFO(k.name << " -> " << c);
      CHECK((names.count(c) == 1 || c == "dispatch"));
      ++linked;
    }
    if (!k.producer.empty()) CHECK((names.count(k.producer) == 1 || k.producer == "combine"));
  }
  CHECK(linked > 30);
}
