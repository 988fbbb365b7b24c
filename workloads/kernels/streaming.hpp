#pragma once
// Shared shape of the memory-bound kernels (copies, quantization, transposes,
// elementwise, norms): one role per CTA (all its warps) and work units that
// are each a short program of global loads, CUDA-core work, shared-memory
// traffic and global stores. Either one CTA per unit (a plain grid, as the
// CUDA suite's quantization, transpose, SwiGLU and RMSNorm kernels launch) or
// a grid-stride loop over the units with as many CTAs as fit on the SMs at
// once, capped at `max_ctas_per_sm` (the suite's copy/read/write kernels). `seq` counts the units this CTA has run (0
// for its first), for data a CTA loads once and keeps in registers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "workloads/kernel_descriptor.hpp"

namespace hwsim::kernels {

struct StreamingDesign {
  int threads;               // per CTA
  int registers_per_thread;  // as compiled
  std::int64_t smem_bytes;   // per CTA
  bool grid_stride = false;  // false: one CTA per work unit
  int max_ctas_per_sm = 0;   // grid-stride grids: CTAs per SM (0 = as many as fit)
};

sim::KernelProgram streaming_program(const std::string& name, const KernelContext& ctx, const StreamingDesign& design,
                                     std::vector<sim::TensorDesc> tensors, std::int64_t units,
                                     std::function<void(std::int64_t unit, std::int64_t seq, sim::OpList& out)> emit);

}  // namespace hwsim::kernels
