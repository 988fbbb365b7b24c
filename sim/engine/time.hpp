#pragma once
// Integer simulated time. `Tick` is 1 ps (SystemC's time resolution in hwsim);
// `Cycles` counts clock edges of one clock domain and becomes ticks only
// through that domain (STYLE.md, "Integer time with distinct types").
#include <cstdint>

namespace hwsim::sim {

using Tick = std::int64_t;  // picoseconds
inline constexpr Tick kTicksPerUs = 1'000'000;
inline constexpr Tick kTickNever = INT64_MAX / 4;

struct Cycles {
  std::int64_t count = 0;
};

// A clock of fixed frequency. The period is kept in femtoseconds so that a
// 1980 MHz clock (505.05 ps) converts long cycle counts without drift.
// Contract: frequency > 0; conversions round to the nearest tick.
class ClockDomain {
 public:
  explicit ClockDomain(double mhz) : mhz_(mhz), period_fs_(static_cast<std::int64_t>(1e9 / mhz + 0.5)) {}
  double mhz() const { return mhz_; }
  Tick to_ticks(Cycles c) const { return (c.count * period_fs_ + 500) / 1000; }
  // Fractional cycle counts come from rates (bytes / bytes-per-clock).
  Tick ticks_for(double cycles) const { return static_cast<Tick>(cycles * static_cast<double>(period_fs_) / 1000.0 + 0.5); }
  Cycles to_cycles(Tick t) const { return Cycles{(t * 1000 + period_fs_ / 2) / period_fs_}; }
  // Rate in units per tick for a per-clock rate of this domain.
  double per_tick(double per_clock) const { return per_clock * 1000.0 / static_cast<double>(period_fs_); }

 private:
  double mhz_;
  std::int64_t period_fs_;
};

}  // namespace hwsim::sim
