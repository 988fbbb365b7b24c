#pragma once
// The mapping functions the rows of op_map.cpp name, one per family of ops:
// GEMMs and attention (op_map_compute.cpp), memory-bound ops
// (op_map_memory.cpp). Each returns the hwsim kernel and params for one call
// or throws Unmappable with the reason.
#include "workloads/trace/op_map.hpp"

namespace hwsim::trace {

Mapping map_mm(const OpCall& c);          // aten::mm, addmm, matmul, linear
Mapping map_bmm(const OpCall& c);         // aten::bmm, baddbmm
Mapping map_scaled_mm(const OpCall& c);   // aten::_scaled_mm
Mapping map_grouped_mm(const OpCall& c);  // aten::_grouped_mm, _scaled_grouped_mm
Mapping map_attention(const OpCall& c);   // SDPA and its flash/cuDNN/efficient variants, fwd and bwd

Mapping map_norm(const OpCall& c);  // layer norm, RMS norm, forward
Mapping map_norm_backward(const OpCall& c);
Mapping map_elementwise(const OpCall& c);  // activations and element-wise arithmetic
Mapping map_copy(const OpCall& c);         // copy_, _to_copy, clone, cat: casts and copies
Mapping map_reduction(const OpCall& c);    // sum, mean, amax, softmax...
Mapping map_sort(const OpCall& c);         // topk, sort: refused (hwsim has no sorting kernel)
Mapping map_adamw(const OpCall& c);        // _fused_adamw_, _fused_adam_
Mapping map_foreach(const OpCall& c);      // _foreach_* over tensor lists
// NCCL kernels (op_map_collective.cpp): a ring collective, from the args of
// the kernel or of the record_param_comms op enclosing its launch.
Mapping map_collective(const Trace& t, const GpuOp& g, const std::vector<std::size_t>& stack);

// Whole 16-byte multiples, at least 16: the streaming kernels move 16-byte vectors.
std::int64_t vector_bytes(std::int64_t bytes);
// The elementwise kernel reading `read` and writing `write` bytes.
Mapping streaming(const OpCall& c, std::int64_t read, std::int64_t write);

}  // namespace hwsim::trace
