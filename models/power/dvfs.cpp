#include "models/power/dvfs.hpp"

#include <algorithm>
#include <cmath>

namespace hwsim {

DvfsResult power_capped_clock(const HardwareSpec& spec, double tensor_busy, DataType mma_type, double hbm_TBps,
                              double own_hbm_TBps, double own_l2_TBps, double budget) {
  const double f_max = spec.clock.sm_MHz;
  const bool fp8 = mma_type == DataType::kFp8E4M3 || mma_type == DataType::kFp8E5M2 || mma_type == DataType::kInt8;
  const double f_full = fp8 ? spec.power.fp8_mma_full_load_MHz : spec.power.bf16_mma_full_load_MHz;
  const double e = spec.power.dvfs_exponent;
  const double w = std::pow(spec.clock.sm_max_MHz / f_full, e);
  const double u0 = std::clamp(tensor_busy, 0.0, 1.0);
  // What memory traffic leaves of the budget to the SMs at a time stretch ts
  // (never below 5%: beyond the calibrated range the linear shares are no
  // longer meaningful).
  const auto traffic = [&](double ts) {
    const double hbm = std::max(0.0, hbm_TBps) + std::max(0.0, own_hbm_TBps) / ts;
    const double l2 = std::max(0.0, own_l2_TBps) / ts;
    return spec.power.hbm_budget_share_per_TBps * hbm + spec.power.l2_budget_share_per_TBps * l2;
  };
  const auto left = [&](double ts) { return std::max(0.05 * budget, budget - traffic(ts)); };
  DvfsResult r{f_max, 1.0, u0, u0 * w / left(1.0) * std::pow(f_max / spec.clock.sm_max_MHz, e)};
  for (int i = 0; i < 100; ++i) {
    const double stretch = f_max / r.sm_clock_mhz;
    r.time_scale = 1.0 - u0 + u0 * stretch;
    r.tensor_busy = u0 * stretch / r.time_scale;
    // Load at the maximum clock of the busy share seen at this clock.
    r.load = r.tensor_busy * w / left(r.time_scale);
    const double target = std::min(f_max, spec.clock.sm_max_MHz * std::pow(std::max(r.load, 1e-12), -1.0 / e));
    // Damped: the traffic terms make the map steeper than the tensor term alone.
    const double f = 0.5 * (r.sm_clock_mhz + target);
    if (std::fabs(target - r.sm_clock_mhz) < 0.01) {
      r.sm_clock_mhz = target;
      break;
    }
    r.sm_clock_mhz = f;
  }
  const double stretch = f_max / r.sm_clock_mhz;
  r.time_scale = 1.0 - u0 + u0 * stretch;
  r.tensor_busy = u0 * stretch / r.time_scale;
  r.drawn = r.tensor_busy * w * std::pow(r.sm_clock_mhz / spec.clock.sm_max_MHz, e) + traffic(r.time_scale);
  return r;
}

}  // namespace hwsim
