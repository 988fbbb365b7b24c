#pragma once
// DeepSeek-V3's shapes, read from the published config.json (committed beside
// this file with its source in SOURCE.md and compiled into hwsim).
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/comm/moe_shape.hpp"
#include "workloads/comm/routing.hpp"

namespace hwsim::deepseek_v3 {

struct ModelShape {
  int hidden;        // hidden_size
  int q_lora_rank;   // query compression
  int kv_lora_rank;  // key-value compression
  int qk_nope_head_dim;
  int qk_rope_head_dim;  // decoupled RoPE
  int v_head_dim;
  int heads;               // num_attention_heads
  int routed_experts;      // n_routed_experts
  int shared_experts;      // n_shared_experts
  int experts_per_token;   // num_experts_per_tok
  int moe_intermediate;    // moe_intermediate_size (per expert)
  int dense_intermediate;  // intermediate_size (first dense layers)
  int dense_layers;        // first_k_dense_replace
  int layers;              // num_hidden_layers
  int vocab;

  // Throws hwsim::Error naming `where` and the key when one is missing or not
  // a positive whole number.
  static ModelShape from_config(const nlohmann::json& config, const std::string& where);

  // What the expert-parallel all-to-all sees of the model.
  comm::MoeShape moe() const { return {hidden, routed_experts, experts_per_token}; }
};

// The config.json compiled into hwsim.
ModelShape published_shape();
const nlohmann::json& published_config();

// Routing options with n_group and topk_group of the published config.json
// (node-limited routing, V3 2.1.2).
comm::RoutingOptions published_routing_options();

}  // namespace hwsim::deepseek_v3
