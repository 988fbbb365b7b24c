#pragma once
// MemorySystem: L2 slices (bandwidth servers + the LRU of models/memory/
// l2_cache), the two-partition latency structure, and HBM channels (servers
// whose rate follows the read/write mix of models/memory/hbm). Requests are
// chunks; each returns the tick its data is at the requesting SM (loads) or
// accepted by L2 (stores).
//
// Sectors: a request names a byte range of its chunk; L2 keeps a sector
// mask per chunk (models/memory/l2_cache), a read hits only when every
// requested sector is present, and a miss or partial hit reads only the
// absent sectors from HBM.
//
// Striping: the hardware hashes every L2 line to a slice (and to an HBM
// channel), so the lines of one chunk spread over min(chunk / line, N) slices
// (channels). The bandwidth servers therefore serve groups of that many slices
// (channels) at the group's combined rate; a chunk is charged to one group.
// This keeps results independent of the chunk size (a test holds it) without
// charging every line separately.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/memory/hbm.hpp"
#include "models/memory/l2_cache.hpp"
#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/time.hpp"
#include "sim/engine/trace_writer.hpp"
#include "sim/gpu/launch_stats.hpp"
#include "sim/gpu/units/hbm_read_path.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

class MemorySystem {
 public:
  MemorySystem(const HardwareSpec& spec, const ClockDomain& sm_clock, std::int64_t chunk_bytes, TraceWriter* trace);

  // Contract: `now` is the current simulated tick; `partition` is the L2
  // partition the requesting SM attaches to; [offset, offset + bytes) lies
  // inside chunk `key`.
  // `path`: how the data moves (program.hpp); a miss through a path other
  // than kDirect is prepared by the stacks' read path (hbm.implementation).
  Tick read(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes, LaunchStats& st,
            DataPath path = DataPath::kDirect);
  Tick write(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes, LaunchStats& st);
  // A reduction (red.global.add) into L2: the slice applies it and keeps the
  // line dirty; HBM sees it when the line is evicted or at the flush.
  Tick reduce(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes, LaunchStats& st);
  // Empties L2 (measurements flush it between launches); dirty data is
  // counted as written to HBM by `st` when given, without time.
  void flush(LaunchStats* st);
  std::int64_t chunk_bytes() const { return chunk_bytes_; }
  // Throws hwsim::Error when kernel `k`'s op reads through a path the
  // stacks' read path lacks (checked before a launch is simulated).
  void check(const Op& op, const KernelProgram& k) const;
  int partitions() const { return spec_l2_partitions_; }
  int slice_groups() const { return slice_groups_; }
  // The L2 bandwidth the SMs in use can draw, as a share of the whole GPU's
  // (HardwareSpec::l2_reach_fraction): every slice group serves at that share
  // of its rate until the next call.
  void set_l2_reach(double fraction);
  int channel_groups() const { return channel_groups_; }

 private:
  // The read that last fetched a chunk from a slice's data array, by chunk
  // (direct-mapped: a conflict forgets the older chunk, which then pays a
  // full read; a modelling approximation, docs/engine.md "Coalesced reads").
  struct LastFetch {
    std::uint64_t key = ~std::uint64_t{0};
    Tick at = 0;
  };
  double read_cost(Tick now, std::uint64_t key, std::int64_t bytes);
  Tick hbm_transfer(Tick now, std::uint64_t key, std::int64_t bytes, bool write, LaunchStats& st);
  BandwidthServer::Grant slice_grant(Tick now, int group, double bytes, LaunchStats& st);
  int slice_group_of(std::uint64_t key) const;
  int channel_group_of(std::uint64_t key) const;

  std::int64_t chunk_bytes_;
  int spec_l2_partitions_;
  L2Cache l2_;
  HbmModel hbm_;
  int slice_groups_, channel_groups_;
  std::vector<BandwidthServer> slices_;     // one per slice group
  double slice_rate_ = 0;                   // per slice group, whole GPU
  std::vector<BandwidthServer> channels_;   // one per channel group
  std::unique_ptr<HbmReadPath> read_path_;  // hbm.implementation
  double channel_peak_per_tick_;            // per channel group
  Tick hit_latency_, far_extra_, hbm_latency_;
  Tick coalesce_window_ = 0;  // 0: no coalescing
  double coalesced_fraction_ = 1;
  double reduction_factor_ = 1;
  std::vector<LastFetch> last_fetch_;  // power-of-two size
  TraceWriter* trace_;
  std::vector<int> slice_tracks_, channel_tracks_;
};

}  // namespace hwsim::sim
