#pragma once
// A sweep's points in a fixed order (docs/sweeps.md): the grid (every
// combination, the last axis varying fastest), or random or Latin-hypercube
// samples from an explicit seed, drawn by a generator written out here
// (splitmix64) so that the same seed gives the same points with any standard
// library. Constraints are applied after sampling: an excluded point is
// dropped and the others keep their index, so adding a constraint never
// renames a finished point.
#include <cstdint>
#include <string>
#include <vector>

#include "hw_proposals/sweep/axis.hpp"
#include "hw_proposals/sweep/constraint.hpp"

namespace hwsim::sweep {

struct Sampling {
  std::string method = "grid";  // grid | random | lhs
  int samples = 0;              // random, lhs
  std::uint64_t seed = 1;
};

// Contract: every axis has at least one value; random and lhs need samples >= 1.
std::vector<SweepPoint> expand_points(const std::vector<Axis>& axes, const std::vector<Constraint>& constraints,
                                      const Sampling& sampling);

}  // namespace hwsim::sweep
