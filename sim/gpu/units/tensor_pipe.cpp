#include "sim/gpu/units/tensor_pipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "models/sm/tensor_core.hpp"

namespace hwsim::sim {

TensorPipe::TensorPipe(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int sm)
    : params_(spec.tensor_core),
      clock_(clock),
      subpartitions_(spec.sm.subpartitions),
      cores_(static_cast<size_t>(spec.sm.subpartitions), BandwidthServer{1.0, 0}),
      trace_(trace) {
  if (trace_) track_ = trace_->track(fmt::format("SM{:03} tensor core", sm));
}

std::span<const OpKind> TensorPipe::ops() const {
  static constexpr std::array kOps = {OpKind::kWgmma, OpKind::kWgmmaWait};
  return kOps;
}

void TensorPipe::issue(const Op& op, RoleContext& role) {
  if (op.kind == OpKind::kWgmma) {
    mma(op, role);
    return;
  }
  while (static_cast<int>(role.wgmma_groups.size()) > op.count) {
    role.stall_until(role.wgmma_groups.front(), kWgmmaWait);
    role.wgmma_groups.pop_front();
  }
}

const TensorPipe::Timing& TensorPipe::timing(const Op& op) {
  if (have_last_ && last_.dtype == op.dtype && last_.n == op.n && last_.extra_cycles == op.extra_cycles) return last_;
  const WgmmaTiming w = wgmma_timing(params_, op.dtype, 64, op.n, wgmma_k(op.dtype));
  last_ = Timing{op.dtype, op.n, op.extra_cycles, clock_.ticks_for(w.issue_cycles + op.extra_cycles),
                 clock_.ticks_for(w.latency_cycles)};
  have_last_ = true;
  return last_;
}

void TensorPipe::mma(const Op& op, RoleContext& role) {
  const Timing& t = timing(op);
  const Tick issue = t.issue;
  const Tick lat = t.latency;
  Tick end = 0, start = kTickNever;
  for (int i = 0; i < role.used_sps; ++i) {
    const auto g = cores_[static_cast<size_t>((role.first_sp + i) % subpartitions_)].request(
        role.now(), static_cast<double>(issue * op.count));
    end = std::max(end, g.end);
    start = std::min(start, g.start);
    role.st.tensor_busy += g.end - g.start;
  }
  role.st.wgmma += op.count;
  if (trace_) trace_->span(track_, "wgmma", start, end);
  role.wgmma_groups.push_back(end - issue + lat);
}

}  // namespace hwsim::sim
