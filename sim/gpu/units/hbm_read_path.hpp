#pragma once
// HbmReadPath: what stands between an L2 miss and the HBM channels that send
// the data across the package. On Hopper nothing does: the channel sends the
// bytes as stored. A proposal's memory-side logic (near-memory compute) is
// another implementation that works on the data inside the stacks first; the
// spec's `hbm.implementation` picks one (units/implementations.hpp).
#include <cstdint>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/time.hpp"
#include "sim/gpu/launch_stats.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

// What an HBM read path is built from.
struct HbmEnv {
  const HardwareSpec& spec;
  int channel_groups;  // the memory system's HBM bandwidth servers (memory_system.hpp)
};

class HbmReadPath {
 public:
  virtual ~HbmReadPath() = default;
  // Whether reads through `path` can be served; the standard stacks serve
  // every path but the memory-side cast.
  virtual bool serves(DataPath path) const { return path != DataPath::kNearMemoryCast; }
  // An L2 miss of `bytes` (as the L2 receives them) on channel group
  // `channel_group` read through `path`: the tick from which the channel may
  // send them. Called only for paths other than DataPath::kDirect.
  virtual Tick prepare(Tick now, int /*channel_group*/, std::int64_t /*bytes*/, DataPath /*path*/,
                       LaunchStats& /*st*/) {
    return now;
  }
};

}  // namespace hwsim::sim
