#pragma once
// The timed units of one SM: per sub-partition tensor-core and CUDA-core pipes
// (a warp group has one warp on each sub-partition), the shared-memory / L1
// data port, and the TMA unit (issue pipeline, in-flight limit, fill port).
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/capacity_pool.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::sim {

struct SubPartition {
  BandwidthServer tensor{1.0, 0};  // units: ticks of occupancy
  BandwidthServer fp32{1.0, 0};
  BandwidthServer int32{1.0, 0};
  BandwidthServer sfu{1.0, 0};
};

struct SmUnits {
  SmUnits(const HardwareSpec& spec, const ClockDomain& clk)
      : sub(static_cast<size_t>(spec.sm.subpartitions)),
        smem_port(clk.per_tick(spec.sm.smem_bytes_per_clk), 0),
        tma_fill(clk.per_tick(spec.tma.bytes_per_clk), 0),
        // A zero rate (no cast unit) is never requested: kernels check the spec.
        tma_cast(clk.per_tick(spec.tma.fp8_cast_bytes_per_clk > 0 ? spec.tma.fp8_cast_bytes_per_clk : 1.0), 0),
        tma_inflight(spec.tma.max_inflight_per_sm) {}
  std::vector<SubPartition> sub;
  BandwidthServer smem_port;  // shared memory and L1 share one data array (Hopper tuning guide)
  BandwidthServer tma_fill;
  BandwidthServer tma_cast;  // FP8 cast unit of the TMA (proposal: fused cast + TMA)
  Pipeline tma_issue;
  CapacityPool tma_inflight;
  int gpc = 0;
  int partition = 0;  // L2 partition this SM's GPC attaches to
  int trace_tensor = -1, trace_cuda = -1, trace_tma = -1;
};

}  // namespace hwsim::sim
