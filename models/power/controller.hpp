#pragma once
// The clock a launch runs at, as a function of what the GPU did before it.
//
// models/power/dvfs.hpp gives the clock the 700 W cap allows a kernel once the
// GPU has worked for seconds (budget 1). A rested GPU allows more for a while:
// the same FP8 8192^3 GEMM takes 750 us in a short train after idle and 901 us
// after 2 s back to back (validate/data/h100-sxm/dynamics/). Whether the cause
// is temperature (leakage rises as the die heats) or the controller's averaging,
// the effect is a budget that falls while the GPU works and recovers while it
// rests. hwsim keeps one state for it, the heat x (the power drawn, averaged
// with time constant tau, in units of the sustained budget; 0 at rest):
//
//   dx/dt = (p(t) - x) / tau,      budget(x) = min(b_fast, 1 + beta (1 - x)),
//
// where p(t) is the power the running work draws (dvfs.hpp's `drawn`; idle
// draws 0 in these units, its power being outside the budget the cap leaves
// to switching). A kernel held at the cap draws p = budget, so a heavy kernel
// repeated forever settles at x = budget = 1: the sustained regime is the
// calibrated dvfs model unchanged. tau, beta and b_fast are set by
// `hwbench --only power_dynamics` (the clock of a wgmma stream stepped from
// rest, sampled every few microseconds inside the kernel).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"

namespace hwsim {

// What a launch draws, from its simulation at the maximum clock.
struct PowerLoad {
  double time_us = 0;      // kernel time at the maximum clock (without the launch gap)
  double gap_us = 0;       // idle time before the kernel starts (the launch gap)
  double tensor_busy = 0;  // GPU-wide tensor-core busy fraction at the maximum clock
  DataType mma_type = DataType::kBf16;
  double beside_hbm_TBps = 0;  // traffic of other kernels beside it
  double own_hbm_TBps = 0;     // its own HBM traffic at the maximum clock
  double own_l2_TBps = 0;      // its own L2-hit traffic at the maximum clock
};

// A launch's load travels with its prediction (Prediction::detail
// "power_load"), so that whoever runs a sequence of predicted kernels (a
// layer, a study, the step) can carry the controller's state across them.
nlohmann::json to_json(const PowerLoad& k);
// The load in a prediction's detail, if the timing model gave one.
std::optional<PowerLoad> power_load_from_detail(const nlohmann::json& detail);

// How one launch ran.
struct LaunchClock {
  double time_scale = 1;     // kernel time / kernel time at the maximum clock
  double clock_mhz = 0;      // time-weighted mean SM clock
  double tensor_busy = 0;    // tensor-busy fraction over the stretched time
  double heat_before = 0;    // x at the kernel's start
  double heat_after = 0;     // x at its end
  double budget_before = 1;  // budget at its start
  double wake_us = 0;        // time the launch waited for the GPU to wake from idle (added to its launch gap)
  std::vector<std::pair<double, double>> trajectory;  // (us since the kernel's start, SM MHz)
};

class PowerController {
 public:
  explicit PowerController(const HardwareSpec& spec);
  double heat() const { return heat_; }
  void set_heat(double x) { heat_ = x; }
  // Idle time since the last launch ended (for the wake-up latency).
  double idle_us() const { return idle_us_; }
  double budget() const;
  // The GPU idles for `us` microseconds.
  void rest(double us);
  // Runs one launch (its gap first), advancing the heat.
  LaunchClock run(const PowerLoad& k);
  // The heat at which launching `k` back to back forever is periodic.
  double settled_heat(const PowerLoad& k) const;

 private:
  const HardwareSpec* spec_;
  double heat_ = 0;
  double idle_us_ = 0;
};

// The wake-up latency of a launch after `idle_ms` of idle GPU
// (power.wake_idle_ms / power.wake_latency_us, interpolated linearly).
double wake_latency_us(const HardwareSpec& spec, double idle_ms);

// The power history a launch runs in (records' "regime" and "history", the
// CLI's --regime):
//   sustained: launched back to back until the heat settles (a training step);
//   idle:      one launch after `idle_before_ms` of idle GPU;
//   train:     `launches` launches, `gap_us` apart (beyond the launch gap),
//              after `idle_before_ms` of idle GPU; the median launch.
struct PowerHistory {
  enum class Kind { kSustained, kIdle, kTrain };
  Kind kind = Kind::kSustained;
  double idle_before_ms = 1000;
  int launches = 30;
  double gap_us = 0;
  std::string describe() const;
};

// Parses "sustained", "idle", "train" with optional ":key=value,..." settings
// (idle_before_ms, launches, gap_us); `what` names the input in errors.
PowerHistory parse_power_history(const std::string& text, const std::string& what);

// Runs `k` in `history` from a fresh controller; the launch reported (the
// median for a train) and, for a train, the time scale of every launch.
struct HistoryOutcome {
  LaunchClock launch;
  std::vector<double> train_time_scales;
};
HistoryOutcome run_in_history(const HardwareSpec& spec, const PowerLoad& k, const PowerHistory& history);

// A sequence of launches run back to back and repeated, as the layers of a
// training step are: the heat carried from launch to launch, starting from the
// periodic state (one pass of the sequence ends with the heat it began with).
// Each item is launched `count` times in a row; its LaunchClock is the mean of
// those launches (the trajectory and the start values are its first launch's).
struct SequenceItem {
  PowerLoad load;
  int count = 1;
};
struct SequenceOutcome {
  std::vector<LaunchClock> items;
  double periodic_heat = 0;  // the heat at the start of a pass
};
SequenceOutcome run_periodic_sequence(const HardwareSpec& spec, const std::vector<SequenceItem>& sequence);

}  // namespace hwsim
