#pragma once
// Reading an op's recorded inputs: the shapes ("Input Dims"), the PyTorch
// dtypes ("Input type") and the scalar arguments ("Concrete Inputs") that
// record_shapes=True writes for every CPU op, one entry per argument of the
// aten signature.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

// Element size of a PyTorch dtype as the trace names it ("c10::BFloat16",
// "float", "c10::Float8_e4m3fn", "long int"); nullopt for a non-tensor.
std::optional<int> element_bytes(const std::string& torch_type);
// hwsim's name of the dtype ("bf16", "fp32", "fp8_e4m3"); empty when hwsim has none.
std::string hwsim_dtype(const std::string& torch_type);

class OpInputs {
 public:
  explicit OpInputs(const CpuOp& op) : op_(op) {}
  std::size_t count() const { return op_.dims.is_array() ? op_.dims.size() : 0; }
  // The shape of input i; empty for scalars, None and absent inputs.
  std::vector<std::int64_t> shape(std::size_t i) const;
  // Whether input i is a tensor (a shape with at least one dimension, or a
  // 0-d tensor typed as one).
  bool is_tensor(std::size_t i) const;
  std::string type(std::size_t i) const;  // "" when not recorded
  // The shapes of a TensorList input (nested dims); empty otherwise.
  std::vector<std::vector<std::int64_t>> list_shapes(std::size_t i) const;
  std::string concrete(std::size_t i) const;  // "" when not recorded
  // Bytes of input i (a tensor, or the sum of a tensor list's), with
  // `fallback_bytes` per element when its dtype is not recorded.
  std::int64_t bytes(std::size_t i, int fallback_bytes = 4) const;
  std::int64_t numel(std::size_t i) const;

 private:
  const CpuOp& op_;
};

// Elements of a shape; throws Unmappable (op_map.hpp) for a negative
// dimension or more than kMaxElements, so that no product of a trace's
// numbers overflows.
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 50;
std::int64_t numel_of(const std::vector<std::int64_t>& shape);
std::string shape_text(const std::vector<std::int64_t>& shape);  // "4096x7168"

}  // namespace hwsim::trace
