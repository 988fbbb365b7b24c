// NCCL kernels: the collective, its bytes and its group from the args PyTorch
// records on record_param_comms (and, from PyTorch 2.2, on the NCCL kernel):
// "Collective name", "In msg nelems", "Out msg nelems", "Group size", "dtype".
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "workloads/trace/collective_time.hpp"
#include "workloads/trace/op_mappers.hpp"

namespace hwsim::trace {
namespace {

// c10d's dtype names (ScalarType names: "BFloat16", "Float"; some writers
// lower-case them).
int comm_element_bytes(std::string dtype) {
  std::transform(dtype.begin(), dtype.end(), dtype.begin(), [](unsigned char c) { return std::tolower(c); });
  if (dtype.find("float8") != std::string::npos || dtype == "byte" || dtype == "char" || dtype == "bool") return 1;
  if (dtype == "bfloat16" || dtype == "half" || dtype == "short") return 2;
  if (dtype == "double" || dtype == "long") return 8;
  return 4;
}

// A whole-number or text arg; 0 or "" when absent or of another type.
std::int64_t int_arg(const nlohmann::json& args, const char* key) {
  const auto it = args.find(key);
  return it != args.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
std::string text_arg(const nlohmann::json& args, const char* key) {
  const auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string ring_kind(const std::string& name) {
  if (name.find("allreduce") != std::string::npos || name.find("all_reduce") != std::string::npos) return "all_reduce";
  if (name.find("reduce_scatter") != std::string::npos) return "reduce_scatter";
  if (name.find("allgather") != std::string::npos || name.find("all_gather") != std::string::npos) return "all_gather";
  return "";
}

}  // namespace

Mapping map_collective(const Trace& t, const GpuOp& g, const std::vector<std::size_t>& stack) {
  Mapping m;
  m.category = "collective";
  m.op = g.name.substr(0, g.name.find('('));
  const nlohmann::json* args = g.comm.is_object() ? &g.comm : nullptr;
  for (std::size_t i : stack) {
    if (args == nullptr && t.ops[i].comm.is_object()) args = &t.ops[i].comm;
  }
  if (args == nullptr) {
    m.reason = "the trace records no collective args (record_param_comms) for this NCCL kernel";
    return m;
  }
  const std::string name = text_arg(*args, "Collective name");
  const std::string kind = ring_kind(name);
  const std::int64_t elems = int_arg(*args, kind == "all_gather" ? "Out msg nelems" : "In msg nelems");
  const std::int64_t group = int_arg(*args, "Group size");
  if (kind.empty()) {
    m.reason = fmt::format("collective '{}': only all-reduce, reduce-scatter and all-gather are modelled", name);
  } else if (elems <= 0 || elems > kMaxElements || group < 2 || group > 65536) {
    m.reason = fmt::format("collective '{}' records {} elements over {} GPUs", name, elems, group);
  } else {
    m.kind = std::string(kCollectiveKind);
    m.params = {
        {"collective", kind}, {"bytes", elems * comm_element_bytes(text_arg(*args, "dtype"))}, {"group_size", group}};
    m.note = "NCCL's ring over the group, placed on whole nodes in rank order";
  }
  return m;
}

}  // namespace hwsim::trace
