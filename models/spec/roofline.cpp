#include "models/spec/roofline.hpp"

namespace hwsim {

RooflineSummary roofline(const HardwareSpec& spec) {
  RooflineSummary s;
  s.hbm_peak_bytes_per_s = spec.hbm_bytes_per_s();
  s.hbm_sustained_read_bytes_per_s = spec.hbm_bytes_per_s() * spec.hbm.read_efficiency;
  s.l2_bytes_per_s = spec.l2.bytes_per_clk * spec.sm_clock_hz();
  s.fp32_cuda_core_flops = spec.cuda_core.fp32_flop_per_clk * spec.sm.count * spec.sm_clock_hz();
  for (DataType t : {DataType::kFp8E4M3, DataType::kBf16, DataType::kTf32}) {
    const double f = spec.peak_flops(t);
    s.rows.push_back({t, f, f / s.hbm_peak_bytes_per_s, f / s.hbm_sustained_read_bytes_per_s});
  }
  return s;
}

}  // namespace hwsim
