// The memory-side logic of the near-memory proposal (DeepSeek-V3 3.5.2): an
// L2 miss read through DataPath::kNearMemoryCast is an FP8 chunk cast from
// BF16 inside the stacks. The logic reads two BF16 bytes per FP8 byte it
// sends at the stacks' internal bandwidth and casts at its own rate (the
// slower of hbm.internal_bandwidth_GBps and hbm.near_memory_cast_GBps bounds
// it, the same rule as the roofline); only the FP8 bytes then cross the
// package through the channel. Selected by `hbm.implementation:
// near_memory_cast` (this folder's spec_delta.yaml).
#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/time.hpp"
#include "sim/gpu/units/implementations.hpp"

namespace hwsim::proposals {
namespace {

using sim::DataPath;

class NearMemoryCast final : public sim::HbmReadPath {
 public:
  explicit NearMemoryCast(const sim::HbmEnv& env)
      : logic_(static_cast<size_t>(env.channel_groups),
               sim::BandwidthServer(sim::bytes_per_tick_from_GBps(rate_GBps(env.spec)) / env.channel_groups, 0)) {}
  bool serves(DataPath /*path*/) const override { return true; }
  sim::Tick prepare(sim::Tick now, int channel_group, std::int64_t bytes, DataPath path,
                    sim::LaunchStats& st) override {
    if (path != DataPath::kNearMemoryCast) return now;
    // BF16 source: two bytes read and cast inside the stacks per FP8 byte sent.
    const std::int64_t internal = 2 * bytes;
    st.hbm_internal += internal;
    return logic_[static_cast<size_t>(channel_group)].request(now, static_cast<double>(internal)).end;
  }

 private:
  static double rate_GBps(const HardwareSpec& spec) {
    const double r = std::min(spec.hbm.near_memory_cast_GBps, spec.hbm.internal_bandwidth_GBps);
    if (!(r > 0)) {
      throw Error(fmt::format(
          "hbm.near_memory_cast_GBps ({}) and hbm.internal_bandwidth_GBps ({}) must be > 0 for hbm.implementation = "
          "near_memory_cast",
          spec.hbm.near_memory_cast_GBps, spec.hbm.internal_bandwidth_GBps));
    }
    return r;
  }
  std::vector<sim::BandwidthServer> logic_;  // one per channel group
};

const sim::UnitRegistration kNearMemoryCast{
    sim::hbm_implementations(),
    {"near_memory_cast",
     "logic beside the HBM that casts BF16 to FP8 + 1x128 scales as it is read (near_memory_compute)",
     [](const sim::HbmEnv& env) { return std::make_unique<NearMemoryCast>(env); }}};

}  // namespace
}  // namespace hwsim::proposals
