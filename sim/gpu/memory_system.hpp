#pragma once
// MemorySystem: L2 slices (bandwidth servers + the LRU of models/memory/
// l2_cache), the two-partition latency structure, and HBM channels (servers
// whose rate follows the read/write mix of models/memory/hbm). Requests are
// chunks; each returns the tick its data is at the requesting SM (loads) or
// accepted by L2 (stores).
#include <cstdint>
#include <vector>

#include "models/memory/hbm.hpp"
#include "models/memory/l2_cache.hpp"
#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/time.hpp"
#include "sim/engine/trace_writer.hpp"
#include "sim/gpu/launch_stats.hpp"

namespace hwsim::sim {

class MemorySystem {
 public:
  MemorySystem(const HardwareSpec& spec, const ClockDomain& sm_clock, std::int64_t chunk_bytes, TraceWriter* trace);

  // Contract: `now` is the current simulated tick; `partition` is the L2
  // partition the requesting SM attaches to.
  Tick read(Tick now, int partition, std::uint64_t key, std::int64_t bytes, LaunchStats& st);
  Tick write(Tick now, int partition, std::uint64_t key, std::int64_t bytes, LaunchStats& st);
  // Empties L2 (measurements flush it between launches); dirty data is
  // counted as written to HBM by `st` when given, without time.
  void flush(LaunchStats* st);
  std::int64_t chunk_bytes() const { return chunk_bytes_; }
  int partitions() const { return spec_l2_partitions_; }

 private:
  Tick hbm_transfer(Tick now, std::uint64_t key, std::int64_t bytes, bool write, LaunchStats& st);
  BandwidthServer::Grant slice_grant(Tick now, int slice, std::int64_t bytes, LaunchStats& st);

  std::int64_t chunk_bytes_;
  int spec_l2_partitions_;
  L2Cache l2_;
  HbmModel hbm_;
  std::vector<BandwidthServer> slices_;
  std::vector<BandwidthServer> channels_;
  double channel_peak_per_tick_;
  Tick hit_latency_, far_extra_, hbm_latency_;
  TraceWriter* trace_;
  std::vector<int> slice_tracks_, channel_tracks_;
};

}  // namespace hwsim::sim
