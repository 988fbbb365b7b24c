#pragma once
// KernelResult: what one simulated launch yields, and its JSON form (the
// contract documented in docs/engine.md).
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "models/spec/hardware_spec.hpp"
#include "sim/gpu/launch_stats.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

struct KernelResult {
  std::string kernel;
  nlohmann::json params;
  std::string gpu;
  double time_us = 0;         // launch overhead + execution
  double kernel_time_us = 0;  // first CTA start to last CTA end
  double launch_overhead_us = 0;
  std::int64_t cycles = 0;  // SM cycles of time_us
  double sm_clock_mhz = 0;
  double flops = 0;
  std::map<std::string, double> bytes;     // hbm_read, hbm_write, l2_read, l2_write, smem, tma_cast, hbm_internal
  double l2_hit_rate = 0;                  // fraction of l2_read bytes that hit
  std::map<std::string, double> achieved;  // flop_per_s, hbm_bytes_per_s
  std::map<std::string, double> ops;       // counted CUDA-core lane ops by purpose (KernelProgram::op_tags)
  std::map<std::string, double> busy;      // fraction of each unit class's capacity over the kernel
  std::map<std::string, double> stalls;    // fraction of all role time spent waiting, by role.reason
  std::int64_t ctas = 0;
  int waves = 0;
  nlohmann::json launch;  // occupancy, cluster slots, SMs, tile choices
  nlohmann::json config;  // resolved GPU description

  nlohmann::json to_json() const;
  // The inverse of to_json(): every field back, doubles to the last bit (JSON
  // numbers are written shortest round-trip). Throws hwsim::Error naming the
  // first missing or mistyped field. A non-finite double, which to_json()
  // writes as null, comes back as NaN.
  static KernelResult from_json(const nlohmann::json& j);
};

KernelResult make_result(const HardwareSpec& spec, const ClockDomain& clk, const KernelProgram& k,
                         const LaunchStats& st);

}  // namespace hwsim::sim
