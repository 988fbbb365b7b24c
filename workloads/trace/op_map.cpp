// The mapping table: which aten ops become which hwsim kernel. To map another
// op, add a row (its names, a category, and a function of op_mappers.hpp or
// your own) and bump kOpMapVersion. Rows are searched in order; for each
// kernel the innermost enclosing op that some row names decides (a GEMM
// inside aten::linear is decided by the aten::mm or aten::addmm inside it).
// Op signatures: PyTorch's aten/src/ATen/native/native_functions.yaml.
#include "workloads/trace/op_map.hpp"

#include <fmt/format.h>

#include <map>

#include "workloads/trace/op_mappers.hpp"

namespace hwsim::trace {

const std::vector<OpRule>& op_rules() {
  static const std::vector<OpRule> rules = {
      {{"aten::mm", "aten::addmm", "aten::matmul", "aten::linear"}, "gemm", map_mm},
      {{"aten::bmm", "aten::baddbmm"}, "gemm", map_bmm},
      {{"aten::_scaled_mm"}, "gemm", map_scaled_mm},
      {{"aten::_grouped_mm", "aten::_scaled_grouped_mm"}, "gemm", map_grouped_mm},
      {{"aten::_scaled_dot_product_cudnn_attention", "aten::_scaled_dot_product_flash_attention",
        "aten::_scaled_dot_product_efficient_attention", "aten::_scaled_dot_product_cudnn_attention_backward",
        "aten::_scaled_dot_product_flash_attention_backward", "aten::_scaled_dot_product_efficient_attention_backward",
        "aten::scaled_dot_product_attention"},
       "attention",
       map_attention},
      {{"aten::native_layer_norm", "aten::_fused_rms_norm", "aten::rms_norm", "aten::layer_norm"}, "norm", map_norm},
      {{"aten::native_layer_norm_backward", "aten::_fused_rms_norm_backward"}, "norm", map_norm_backward},
      {{"aten::silu", "aten::silu_", "aten::gelu", "aten::gelu_", "aten::relu", "aten::relu_", "aten::sigmoid",
        "aten::tanh", "aten::silu_backward", "aten::gelu_backward", "aten::threshold_backward",
        "aten::sigmoid_backward", "aten::tanh_backward"},
       "activation",
       map_elementwise},
      {{"aten::add",        "aten::add_",        "aten::sub",          "aten::sub_",      "aten::mul",
        "aten::mul_",       "aten::div",         "aten::div_",         "aten::neg",       "aten::exp",
        "aten::log",        "aten::sqrt",        "aten::rsqrt",        "aten::pow",       "aten::abs",
        "aten::where",      "aten::clamp",       "aten::clamp_",       "aten::clamp_min", "aten::clamp_max",
        "aten::reciprocal", "aten::addcmul_",    "aten::addcdiv_",     "aten::lerp_",     "aten::fill_",
        "aten::zero_",      "aten::masked_fill", "aten::masked_fill_", "aten::eq",        "aten::ne",
        "aten::gt",         "aten::lt",          "aten::ge",           "aten::le",        "aten::maximum",
        "aten::minimum",    "aten::bitwise_and", "aten::cos",          "aten::sin"},
       "elementwise",
       map_elementwise},
      {{"aten::copy_",       "aten::_to_copy",
        "aten::clone",       "aten::contiguous",
        "aten::cat",         "aten::index_select",
        "aten::gather",      "aten::scatter_add_",
        "aten::index_add_",  "aten::index",
        "aten::index_put_",  "aten::repeat",
        "aten::stack",       "aten::constant_pad_nd",
        "aten::embedding",   "aten::embedding_dense_backward",
        "aten::scatter",     "aten::scatter_",
        "aten::index_fill_", "aten::masked_scatter",
        "aten::flip",        "aten::roll"},
       "cast/copy",
       map_copy},
      {{"aten::sum", "aten::mean", "aten::amax", "aten::max", "aten::min", "aten::norm", "aten::linalg_vector_norm",
        "aten::_softmax", "aten::_log_softmax", "aten::_softmax_backward_data", "aten::_log_softmax_backward_data",
        "aten::argmax", "aten::cumsum", "aten::nll_loss_forward", "aten::nll_loss_backward", "aten::histc",
        "aten::bincount"},
       "reduction",
       map_reduction},
      {{"aten::topk", "aten::sort", "aten::argsort", "aten::msort"}, "sort", map_sort},
      {{"aten::_fused_adamw_", "aten::_fused_adam_"}, "optimizer", map_adamw},
      {{"aten::_foreach_add_", "aten::_foreach_mul_", "aten::_foreach_addcmul_", "aten::_foreach_addcdiv_",
        "aten::_foreach_lerp_", "aten::_foreach_sqrt", "aten::_foreach_div_", "aten::_foreach_norm",
        "aten::_foreach_zero_", "aten::_foreach_copy_"},
       "optimizer",
       map_foreach},
  };
  return rules;
}

namespace {

const OpRule* find_rule(const std::string& op_name) {
  static const std::map<std::string, const OpRule*> index = [] {
    std::map<std::string, const OpRule*> m;
    for (const OpRule& r : op_rules()) {
      for (const std::string& n : r.ops) m.emplace(n, &r);
    }
    return m;
  }();
  const auto it = index.find(op_name);
  return it == index.end() ? nullptr : it->second;
}

Mapping unmapped(std::string category, std::string op, std::string reason) {
  Mapping m;
  m.category = std::move(category);
  m.op = std::move(op);
  m.reason = std::move(reason);
  return m;
}

// Device-to-device copies run as hwsim's copy kernel and memsets as its
// streaming write; host transfers cross PCIe, which hwsim does not model.
Mapping map_transfer(const GpuOp& g) {
  const std::string op = g.name.substr(0, g.name.find(" ("));
  if (g.kind == GpuKind::kMemset) {
    Mapping m{"memset", op, "write", {{"bytes", vector_bytes(g.bytes)}}};
    if (g.bytes <= 0) return unmapped("memset", op, "the memset records no bytes");
    return m;
  }
  if (g.name.find("DtoD") == std::string::npos)
    return unmapped("memcpy", op, "host transfers cross PCIe, which hwsim does not model");
  if (g.bytes <= 0) return unmapped("memcpy", op, "the memcpy records no bytes");
  return {"memcpy", op, "memcpy", {{"bytes", vector_bytes(g.bytes)}}};
}

}  // namespace

Mapping map_gpu_op(const Trace& t, const GpuOp& g, const std::vector<std::size_t>& stack) {
  if (g.kind != GpuKind::kKernel) return map_transfer(g);
  if (g.name.starts_with("ncclDevKernel") || g.name.starts_with("ncclKernel")) return map_collective(t, g, stack);
  if (stack.empty()) return unmapped("other", "", "no CPU op encloses its launch (no launching runtime call found)");
  for (std::size_t i : stack) {
    const CpuOp& op = t.ops[i];
    const OpRule* rule = find_rule(op.name);
    if (rule == nullptr) continue;
    try {
      Mapping m = rule->map(OpCall{op, OpInputs(op), g});
      m.category = rule->category;
      m.op = op.name;
      m.op_index = static_cast<std::int64_t>(i);
      return m;
    } catch (const Unmappable& e) {
      Mapping m = unmapped(rule->category, op.name, e.what());
      m.op_index = static_cast<std::int64_t>(i);
      return m;
    }
  }
  return unmapped(
      "other", t.ops[stack.front()].name,
      fmt::format("no row of the mapping table names '{}' or an op enclosing it", t.ops[stack.front()].name));
}

}  // namespace hwsim::trace
