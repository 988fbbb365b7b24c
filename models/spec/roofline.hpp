#pragma once
// Roofline numbers computed from a HardwareSpec: peak tensor FLOP/s per data
// type, HBM bandwidth (peak and sustained) and the ridge points where a kernel
// turns from memory-bound to compute-bound. Nothing here is typed in.
#include <vector>

#include "models/spec/hardware_spec.hpp"

namespace hwsim {

struct RooflineRow {
  DataType dtype;
  double peak_flops;           // dense, all SMs, at clock.sm_MHz
  double ridge_flop_per_byte;  // peak_flops / HBM peak bandwidth
  double ridge_sustained;      // peak_flops / sustained read bandwidth
};

struct RooflineSummary {
  double hbm_peak_bytes_per_s;
  double hbm_sustained_read_bytes_per_s;
  double l2_bytes_per_s;
  double fp32_cuda_core_flops;
  std::vector<RooflineRow> rows;  // fp8, bf16, tf32
};

RooflineSummary roofline(const HardwareSpec& spec);

}  // namespace hwsim
