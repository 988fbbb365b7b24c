#pragma once
// The steady-state extension of a persistent launch: a persistent grid of C
// clusters runs its work units in R rounds (cluster c takes units c, c + C,
// ...). After a few rounds the cost of a round is nearly constant (the L2
// holds the same share of each operand, the pipelines are full), so a launch
// of many rounds is simulated twice with fewer rounds, S = max(min_short,
// ceil(R / short_fraction)) and L = 2 S, each keeping the real launch's last,
// partial round, and every statistic is extended along the line through the
// two: x(R) = x(L) + (x(L) - x(S)) (R - L) / (L - S). The first rounds (cold
// L2, pipeline fill) and the tail are in both runs, so the line's intercept
// carries them; S grows with R because the rounds are not all alike (the
// L2 swizzle moves to a new panel of A every few rounds), and the shortened
// runs must see enough of them. Deterministic: plain arithmetic on two
// deterministic simulations.
//
// Contract: an approximation, used only for kernel kinds whose work units all
// cost about the same and whose sweep test
// (tests/workloads/test_steady_state_sweep.cpp) holds every simulated time
// within 0.5% of the full simulation.
#include <cstdint>
#include <optional>

#include "sim/gpu/launch_stats.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

struct SteadyStateOptions {
  bool enabled = false;
  int min_short_rounds = 4;  // S at least
  int short_fraction = 8;    // S at least R / short_fraction
};

struct SteadyStatePlan {
  std::int64_t rounds = 0;                         // R of the real launch
  std::int64_t short_rounds = 0, long_rounds = 0;  // S, L
  std::int64_t short_units = 0;                    // work units of the S-round launch
  std::int64_t long_units = 0;                     // work units of the L-round launch
  double extension = 0;                            // (R - L) / (L - S)
};

// A plan when the launch is persistent and has at least twice as many rounds
// as the two shortened runs together (otherwise the saving is small).
std::optional<SteadyStatePlan> plan_steady_state(const KernelProgram& k, const SteadyStateOptions& o);

// The statistics of the real launch from those of the S- and L-round runs.
// Times are taken relative to each run's issue tick; the result is issued at
// `l`'s.
LaunchStats extend_steady_state(const LaunchStats& s, const LaunchStats& l, double extension);

}  // namespace hwsim::sim
