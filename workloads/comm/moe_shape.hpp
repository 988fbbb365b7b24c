#pragma once
// What the expert-parallel all-to-all needs to know about a MoE model: the
// hidden size a token carries and how many routed experts it picks from.
// The model (workloads/deepseek_v3, ModelShape::moe()) provides it, so the
// communication layer does not depend on any one model.
namespace hwsim::comm {

struct MoeShape {
  int hidden = 0;             // hidden_size: channels per token
  int routed_experts = 0;     // n_routed_experts
  int experts_per_token = 0;  // num_experts_per_tok
};

}  // namespace hwsim::comm
