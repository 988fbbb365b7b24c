#pragma once
// From what a trace recorded about a GPU kernel (the launching aten op, its
// input shapes and dtypes, the kernel's name) to an hwsim kernel and its
// params: a table of rows, one per family of aten ops (op_map.cpp), which a
// user extends by adding a row. A kernel no row maps is "unmapped" with the
// reason; it keeps its measured time (docs/traces.md).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/trace/op_shapes.hpp"
#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

// The mapping table's version, written into every summary: bump it when a
// row's result changes, so predictions made with different tables are told apart.
inline constexpr std::string_view kOpMapVersion = "trace-op-map 3";

struct Mapping {
  std::string category;  // gemm, attention, norm, activation, elementwise, cast/copy, reduction, optimizer, ...
  std::string op;        // the op that decided ("aten::mm"), or the GPU activity ("Memcpy DtoD")
  std::string kind;      // the hwsim kernel; empty: unmapped
  nlohmann::json params = nlohmann::json::object();
  std::string note = {};       // assumptions the row made (padding, balanced groups, ...)
  std::string reason = {};     // why unmapped
  std::int64_t op_index = -1;  // the deciding op in Trace::ops: the kernels it launched share one prediction
  bool per_kernel = false;     // the params describe this kernel alone (sized from its launch grid), not its op
  bool mapped() const { return !kind.empty(); }
};

// What a row sees: the op that launched the kernel and the kernel itself.
struct OpCall {
  const CpuOp& op;
  OpInputs in;
  const GpuOp& gpu;
};

// A row refuses a call it cannot map by throwing this; the kernel is then unmapped with `what()`.
struct Unmappable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using MapFn = Mapping (*)(const OpCall&);

struct OpRule {
  std::vector<std::string> ops;  // aten op names this row maps
  std::string category;
  MapFn map;
};

// The table, in the order it is searched.
const std::vector<OpRule>& op_rules();

// Maps GPU op `g`: memcpys and memsets by their own kind, NCCL kernels as
// collectives, and every other kernel by the first op of `stack` (the ops
// enclosing its launch, innermost first) that the table names.
Mapping map_gpu_op(const Trace& t, const GpuOp& g, const std::vector<std::size_t>& stack);

}  // namespace hwsim::trace
