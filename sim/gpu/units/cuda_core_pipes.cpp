#include "sim/gpu/units/cuda_core_pipes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace hwsim::sim {

CudaCorePipes::CudaCorePipes(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int sm)
    : clock_(clock),
      subpartitions_(spec.sm.subpartitions),
      // FP32 FLOPs count an FMA as two; the pipe issues lane operations.
      fp32_{{}, spec.cuda_core.fp32_flop_per_clk / 2, "fp32"},
      int32_{{}, spec.cuda_core.int32_op_per_clk, "int32"},
      sfu_{{}, spec.cuda_core.sfu_op_per_clk, "sfu"},
      fp32_latency_(clock.ticks_for(spec.cuda_core.fp32_latency_cycles)),
      trace_(trace) {
  for (Pipe* p : {&fp32_, &int32_, &sfu_}) p->sub.assign(static_cast<size_t>(subpartitions_), BandwidthServer{1.0, 0});
  if (trace_) track_ = trace_->track(fmt::format("SM{:03} CUDA cores", sm));
}

std::span<const OpKind> CudaCorePipes::ops() const {
  static constexpr std::array kOps = {OpKind::kCudaCoreOps};
  return kOps;
}

Tick CudaCorePipes::serve(Pipe& pipe, double lane_ops, RoleContext& role) {
  if (lane_ops <= 0) return role.now();
  if (lane_ops != pipe.service_ops || role.used_sps != pipe.service_sps) {
    const double per_sp = lane_ops / role.used_sps;
    pipe.service = clock_.ticks_for(per_sp / (pipe.lanes_per_clk / subpartitions_));
    pipe.service_ops = lane_ops;
    pipe.service_sps = role.used_sps;
  }
  const Tick service = pipe.service;
  Tick end = 0;
  for (int i = 0; i < role.used_sps; ++i) {
    const auto g = pipe.sub[static_cast<size_t>((role.first_sp + i) % subpartitions_)].request(
        role.now(), static_cast<double>(service));
    end = std::max(end, g.end);
    if (trace_ && i == 0) trace_->span(track_, pipe.name, g.start, g.end);
  }
  return end;
}

// Busy attribution per pipe (services are equal across sub-partitions).
Tick CudaCorePipes::busy_ticks(Pipe& pipe, std::int64_t lane_ops) {
  if (lane_ops != pipe.busy_ops) {
    pipe.busy = clock_.ticks_for(static_cast<double>(lane_ops) / pipe.lanes_per_clk);
    pipe.busy_ops = lane_ops;
  }
  return pipe.busy;
}

void CudaCorePipes::count_busy(const Op& op, LaunchStats& st) {
  if (op.fp32 > 0) st.fp32_busy += busy_ticks(fp32_, op.fp32);
  if (op.int32 > 0) st.int32_busy += busy_ticks(int32_, op.int32);
  if (op.sfu > 0) st.sfu_busy += busy_ticks(sfu_, op.sfu);
  if (op.tag > 0) {
    const size_t i = op.tag - 1u;
    if (st.tagged_ops.size() <= i) st.tagged_ops.resize(i + 1, 0);
    st.tagged_ops[i] += op.fp32 + op.int32 + op.sfu;
  }
}

void CudaCorePipes::issue(const Op& op, RoleContext& role) {
  const Tick t0 = role.now();
  Tick end = t0;
  end = std::max(end, serve(fp32_, static_cast<double>(op.fp32), role));
  end = std::max(end, serve(int32_, static_cast<double>(op.int32), role));
  end = std::max(end, serve(sfu_, static_cast<double>(op.sfu), role));
  count_busy(op, role.st);
  role.stall_until(std::max(end, t0) + fp32_latency_, kCudaCore);
}

}  // namespace hwsim::sim
