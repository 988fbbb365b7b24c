#include "models/power/dvfs.hpp"

#include <algorithm>
#include <cmath>

namespace hwsim {

DvfsResult power_capped_clock(const HardwareSpec& spec, double tensor_busy, DataType mma_type, double hbm_TBps) {
  const double f_max = spec.clock.sm_MHz;
  const bool fp8 = mma_type == DataType::kFp8E4M3 || mma_type == DataType::kFp8E5M2 || mma_type == DataType::kInt8;
  const double f_full = fp8 ? spec.power.fp8_mma_full_load_MHz : spec.power.bf16_mma_full_load_MHz;
  const double e = spec.power.dvfs_exponent;
  double w = std::pow(spec.clock.sm_max_MHz / f_full, e);
  const double u0 = std::clamp(tensor_busy, 0.0, 1.0);
  // What HBM traffic leaves of the budget to the SMs (never below 5%: beyond
  // the calibrated range the linear share is no longer meaningful).
  const double left = std::max(0.05, 1.0 - spec.power.hbm_budget_share_per_TBps * std::max(0.0, hbm_TBps));
  w /= left;
  DvfsResult r{f_max, 1.0, u0, u0 * w * std::pow(f_max / spec.clock.sm_max_MHz, e)};
  for (int i = 0; i < 50; ++i) {
    const double stretch = f_max / r.sm_clock_mhz;
    r.time_scale = 1.0 - u0 + u0 * stretch;
    r.tensor_busy = u0 * stretch / r.time_scale;
    // Load at the maximum clock of the busy share seen at this clock.
    r.load = r.tensor_busy * w;
    const double f = std::min(f_max, spec.clock.sm_max_MHz * std::pow(std::max(r.load, 1e-12), -1.0 / e));
    if (std::fabs(f - r.sm_clock_mhz) < 0.01) {
      r.sm_clock_mhz = f;
      break;
    }
    r.sm_clock_mhz = f;
  }
  const double stretch = f_max / r.sm_clock_mhz;
  r.time_scale = 1.0 - u0 + u0 * stretch;
  r.tensor_busy = u0 * stretch / r.time_scale;
  return r;
}

}  // namespace hwsim
