#pragma once
// Integer simulated time. `Tick` is 1 ps (SystemC's time resolution in hwsim);
// `Cycles` counts clock edges of one clock domain and becomes ticks only
// through that domain (docs/engine.md, "Conventions").
#include <cstdint>

namespace hwsim::sim {

using Tick = std::int64_t;  // picoseconds
inline constexpr Tick kTicksPerUs = 1'000'000;
inline constexpr Tick kTickNever = INT64_MAX / 4;
__extension__ typedef __int128 Int128;  // cycle x attosecond products exceed 64 bits

struct Cycles {
  std::int64_t count = 0;
};

// A clock of fixed frequency. The period is kept in attoseconds so that a
// 1980 MHz clock (505.0505... ps) converts long cycle counts without drift.
// Contract: frequency > 0; conversions round to the nearest tick.
class ClockDomain {
 public:
  explicit ClockDomain(double mhz) : mhz_(mhz), period_as_(static_cast<std::int64_t>(1e12 / mhz + 0.5)) {}
  double mhz() const { return mhz_; }
  Tick to_ticks(Cycles c) const {
    return static_cast<Tick>((static_cast<Int128>(c.count) * period_as_ + kAsPerTick / 2) / kAsPerTick);
  }
  // Fractional cycle counts come from rates (bytes / bytes-per-clock).
  Tick ticks_for(double cycles) const {
    return static_cast<Tick>(cycles * static_cast<double>(period_as_) / kAsPerTick + 0.5);
  }
  Cycles to_cycles(Tick t) const {
    return Cycles{static_cast<std::int64_t>((static_cast<Int128>(t) * kAsPerTick + period_as_ / 2) / period_as_)};
  }
  // Rate in units per tick for a per-clock rate of this domain.
  double per_tick(double per_clock) const { return per_clock * kAsPerTick / static_cast<double>(period_as_); }

 private:
  static constexpr std::int64_t kAsPerTick = 1'000'000;  // attoseconds per picosecond
  double mhz_;
  std::int64_t period_as_;
};

}  // namespace hwsim::sim
