#pragma once
// The per-GPU kernel sequence of one DeepSeek-V3 MoE transformer layer in FP8
// training, under the report's parallelism (EP64 across 8 nodes, no tensor
// parallelism; DeepSeek-V3 report 3.2): forward, backward-for-input and
// backward-for-weights, each kernel given by the validation record schema
// (kind + params) so the simulator runs exactly what the measurements cover.
//
// What is and is not here: MLA projections, the attention core (BF16), the
// router, routed experts (one grouped GEMM launch per projection over the
// local experts, DeepGEMM's contiguous layout with each expert's rows
// 128-aligned; the weight gradients one GEMM per expert), the shared expert,
// SwiGLU, RMSNorm, and every FP8 quantization the data path needs (1x128 of
// activations and gradients, the transposed 128x1 re-quantization for weight
// gradients), and
// the framework's memory-bound passes the math needs between them: RoPE and
// the assembly of K for the attention kernel, the attention backward's pre-
// and post-processing, residual adds, the gating top-k, and the permutation
// of received tokens into the experts' contiguous layout and back. Weight
// gradients accumulate into the FP32 gradient buffer (the GEMM reads D).
// Not here: the all-to-all dispatch/combine (multi-GPU), the optimizer, and
// weight quantization (done once per step, not per layer and micro-batch).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workloads/deepseek_v3/model_shape.hpp"

namespace hwsim::deepseek_v3 {

enum class Phase { kForward, kBackwardInput, kBackwardWeight };
std::string to_string(Phase p);

struct LayerKernel {
  std::string name;  // e.g. "fwd.q_b_proj"
  Phase phase;
  std::string kind;        // record-schema kernel kind
  nlohmann::json params;   // record-schema params
  int count = 1;           // identical launches (e.g. balanced experts)
  std::string stands_for;  // the real kernel it represents
  // Data flow of the FP8 recipe, for the proposals' rewrites: a quantization
  // kernel's `producer` wrote its BF16 input; its `consumers` read its FP8
  // output (the GEMM whose operand A it is, then the transposed re-quantization
  // that serves the weight gradient).
  std::string producer = {};
  std::vector<std::string> consumers = {};
};

struct LayerOptions {
  int tokens_per_gpu = 4096;         // one 4K-token sequence per micro-batch (V3 4.2)
  int ep = 64;                       // expert-parallel degree (V3 3.2)
  std::string routing = "balanced";  // or "skewed"
  double skew_sigma = 0.5;           // lognormal sigma of expert loads when skewed
  std::uint64_t seed = 1;            // explicit seed of the skewed loads
};

// Tokens each local expert receives (the most loaded GPU of the EP group when
// skewed: it sets the pace of the all-to-all). Sums to about
// tokens_per_gpu x experts_per_token under balanced routing.
std::vector<int> local_expert_tokens(const ModelShape& shape, const LayerOptions& options);

std::vector<LayerKernel> moe_layer_kernels(const ModelShape& shape, const LayerOptions& options);

// The MTP module's input projection (V3 2.2): the two RMSNorms and the FP8
// linear of 2 x hidden to hidden, forward and backward, for `tokens` tokens.
// The module's Transformer block is an MoE layer (moe_layer_kernels).
std::vector<LayerKernel> mtp_projection_kernels(const ModelShape& shape, int tokens);

}  // namespace hwsim::deepseek_v3
