#include "workloads/kernels/streaming.hpp"

#include <algorithm>

#include "models/sm/occupancy.hpp"

namespace hwsim::kernels {

sim::KernelProgram streaming_program(const std::string& name, const KernelContext& ctx, const StreamingDesign& design,
                                     std::vector<sim::TensorDesc> tensors, std::int64_t units,
                                     std::function<void(std::int64_t unit, std::int64_t seq, sim::OpList& out)> emit) {
  sim::KernelProgram k;
  k.name = name;
  k.resources = {design.threads, design.registers_per_thread, design.smem_bytes};
  const Occupancy occ = occupancy(ctx.spec.sm, k.resources, name);
  k.persistent = design.grid_stride;
  k.work_units = units;
  int per_sm = occ.ctas_per_sm;
  if (design.max_ctas_per_sm > 0) per_sm = std::min(per_sm, design.max_ctas_per_sm);
  k.ctas = design.grid_stride ? std::min<std::int64_t>(units, static_cast<std::int64_t>(ctx.sms) * per_sm) : units;
  k.roles = {{"cta", (design.threads + 31) / 32}};
  k.tensors = std::move(tensors);
  k.emit = [emit](int, std::int64_t unit, std::int64_t seq, int, sim::OpList& out) { emit(unit, seq, out); };
  return k;
}

}  // namespace hwsim::kernels
