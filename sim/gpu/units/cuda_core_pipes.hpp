#pragma once
// CudaCorePipes: the FP32, INT32 and SFU pipes of each sub-partition. A batch
// of lane operations of a warp group is split evenly over the sub-partitions
// its warps occupy; each pipe serves its share at its per-clock rate, and the
// role continues one dependent FP32 latency after the slowest pipe.
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

class CudaCorePipes final : public SmUnit {
 public:
  CudaCorePipes(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int sm);
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;

 private:
  struct Pipe {
    std::vector<BandwidthServer> sub;  // per sub-partition; units: ticks of occupancy
    double lanes_per_clk;              // per SM
    const char* name;
  };
  Tick serve(Pipe& pipe, double lane_ops, RoleContext& role);
  void count_busy(const Op& op, LaunchStats& st) const;
  const ClockDomain& clock_;
  int subpartitions_;
  Pipe fp32_, int32_, sfu_;
  Tick fp32_latency_;
  TraceWriter* trace_;
  int track_ = -1;
};

}  // namespace hwsim::sim
