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
    // The last batch's ticks (a kernel issues the same batch sizes over and
    // over; the conversions are pure functions of the sizes): the service per
    // sub-partition for (lane ops, sub-partitions), and the busy ticks for a
    // count of lane ops.
    double service_ops = -1;
    int service_sps = 0;
    Tick service = 0;
    std::int64_t busy_ops = -1;
    Tick busy = 0;
  };
  Tick serve(Pipe& pipe, double lane_ops, RoleContext& role);
  Tick busy_ticks(Pipe& pipe, std::int64_t lane_ops);
  void count_busy(const Op& op, LaunchStats& st);
  const ClockDomain& clock_;
  int subpartitions_;
  Pipe fp32_, int32_, sfu_;
  Tick fp32_latency_;
  TraceWriter* trace_;
  int track_ = -1;
};

}  // namespace hwsim::sim
