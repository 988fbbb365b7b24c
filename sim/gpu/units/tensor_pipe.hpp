#pragma once
// TensorPipe: the SM's four tensor cores, one per sub-partition. A wgmma of a
// warp group drives each of its warps' tensor cores for the instruction's
// whole duration (a quarter of the FLOPs at a quarter of the SM's rate), so
// two warp groups on the same sub-partitions queue behind each other. Issue
// interval and latency per instruction shape come from models/sm/tensor_core.
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

class TensorPipe final : public SmUnit {
 public:
  TensorPipe(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int sm);
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;

 private:
  void mma(const Op& op, RoleContext& role);
  // Issue interval and latency of one instruction shape, in ticks. The last
  // shape's are kept: a kernel issues one or two shapes, and recomputing them
  // (floating point, then rounding) for every batch is a pure function of it.
  struct Timing {
    DataType dtype;
    std::int32_t n;
    std::int16_t extra_cycles;
    Tick issue, latency;
  };
  const Timing& timing(const Op& op);
  const TensorCoreParams& params_;
  Timing last_{};
  bool have_last_ = false;
  const ClockDomain& clock_;
  int subpartitions_;
  std::vector<BandwidthServer> cores_;  // per sub-partition; units: ticks of occupancy
  TraceWriter* trace_;
  int track_ = -1;
};

}  // namespace hwsim::sim
