#include "workloads/trace/op_shapes.hpp"

#include <fmt/format.h>

#include <map>

#include "workloads/trace/op_map.hpp"

namespace hwsim::trace {
namespace {

struct TorchType {
  int bytes;
  const char* hwsim;  // "" when hwsim has no such dtype
};

// c10::ScalarType names as Kineto prints them (c10/core/ScalarType.h).
const std::map<std::string, TorchType>& torch_types() {
  static const std::map<std::string, TorchType> types = {{"c10::BFloat16", {2, "bf16"}},
                                                         {"c10::Half", {2, "fp16"}},
                                                         {"float", {4, "fp32"}},
                                                         {"double", {8, ""}},
                                                         {"c10::Float8_e4m3fn", {1, "fp8_e4m3"}},
                                                         {"c10::Float8_e5m2", {1, "fp8_e5m2"}},
                                                         {"c10::Float8_e4m3fnuz", {1, "fp8_e4m3"}},
                                                         {"c10::Float8_e5m2fnuz", {1, "fp8_e5m2"}},
                                                         {"long int", {8, ""}},
                                                         {"int", {4, ""}},
                                                         {"short int", {2, ""}},
                                                         {"signed char", {1, "int8"}},
                                                         {"unsigned char", {1, ""}},
                                                         {"bool", {1, ""}},
                                                         {"c10::complex<float>", {8, ""}},
                                                         {"c10::Float4_e2m1fn_x2", {1, ""}}};
  return types;
}

std::vector<std::int64_t> ints(const nlohmann::json& v) {
  std::vector<std::int64_t> out;
  if (!v.is_array()) return out;
  for (const auto& x : v) {
    if (!x.is_number_integer()) return {};
    out.push_back(x.get<std::int64_t>());
  }
  return out;
}

}  // namespace

std::optional<int> element_bytes(const std::string& torch_type) {
  const auto it = torch_types().find(torch_type);
  if (it == torch_types().end()) return std::nullopt;
  return it->second.bytes;
}

std::string hwsim_dtype(const std::string& torch_type) {
  const auto it = torch_types().find(torch_type);
  return it == torch_types().end() ? "" : it->second.hwsim;
}

std::vector<std::int64_t> OpInputs::shape(std::size_t i) const {
  if (i >= count()) return {};
  return ints(op_.dims[i]);
}

bool OpInputs::is_tensor(std::size_t i) const {
  if (!shape(i).empty()) return true;
  return element_bytes(type(i)).has_value() && i < count() && op_.dims[i].is_array();
}

std::string OpInputs::type(std::size_t i) const {
  if (!op_.types.is_array() || i >= op_.types.size() || !op_.types[i].is_string()) return "";
  return op_.types[i].get<std::string>();
}

std::vector<std::vector<std::int64_t>> OpInputs::list_shapes(std::size_t i) const {
  std::vector<std::vector<std::int64_t>> out;
  if (i >= count() || !op_.dims[i].is_array()) return out;
  for (const auto& d : op_.dims[i]) {
    if (!d.is_array()) return {};
    out.push_back(ints(d));
  }
  return out;
}

std::string OpInputs::concrete(std::size_t i) const {
  if (!op_.concrete.is_array() || i >= op_.concrete.size() || !op_.concrete[i].is_string()) return "";
  return op_.concrete[i].get<std::string>();
}

std::int64_t OpInputs::numel(std::size_t i) const {
  const auto s = shape(i);
  if (!s.empty() || !is_tensor(i)) return s.empty() ? (is_tensor(i) ? 1 : 0) : numel_of(s);
  return 1;
}

std::int64_t OpInputs::bytes(std::size_t i, int fallback_bytes) const {
  const int elem = element_bytes(type(i)).value_or(fallback_bytes);
  if (is_tensor(i)) return numel(i) * elem;
  std::int64_t sum = 0;  // a TensorList: its dtypes are not recorded
  for (const auto& s : list_shapes(i)) {
    sum += numel_of(s) * fallback_bytes;
    if (sum > kMaxElements * 8) throw Unmappable("a tensor list of more than 2^53 bytes");
  }
  return sum;
}

std::int64_t numel_of(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    if (d < 0) throw Unmappable(fmt::format("a negative dimension in [{}]", fmt::join(shape, ",")));
    if (d > 0 && n > kMaxElements / d)
      throw Unmappable(fmt::format("shape [{}] has more than 2^50 elements", fmt::join(shape, ",")));
    n *= d;
  }
  return n;
}

std::string shape_text(const std::vector<std::int64_t>& shape) { return fmt::format("{}", fmt::join(shape, "x")); }

}  // namespace hwsim::trace
