#pragma once
// A proposal's sensitivity line as a one-axis sweep (docs/proposals.md,
// docs/sweeps.md): the registration's key becomes an axis over that GPU
// description key, its values (quantities in the registration's unit) are
// converted and checked as a sweep file's would be, its points come from the
// sweep's grid expansion and each point's --set override is the one `hwsim
// sweep` would pass. A registration whose key or unit the spec table rejects
// therefore fails with a sweep file's words, before the study simulates
// anything. The layer study (study.cpp) and the step study (step_study.cpp)
// both draw their lines from here.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hw_proposals/proposal.hpp"
#include "hw_proposals/sweep/axis.hpp"

namespace hwsim::proposals {

struct SensitivitySweep {
  SensitivityParam param;                 // the registration
  sweep::Axis axis;                       // over param.key, its values in the key's unit
  std::vector<sweep::SweepPoint> points;  // one per registered value, in order

  // The --set overrides of `p`, applied after the study's own.
  std::vector<std::string> overrides(const sweep::SweepPoint& p) const;
  // The value the results report for `p`: the registered one, in param.unit.
  double value(const sweep::SweepPoint& p) const;
  // The line in the hwsim_study contract: parameter, unit, description and
  // the points' results (each with its "value").
  nlohmann::json line_json(nlohmann::json results) const;
};

// Throws hwsim::Error "KEY: ..." or "KEY.values: ..." (a sweep file's message
// without its file and line) when the key is no number or integer GPU
// description key, a value's unit is unknown or of another dimension than the
// key's, or an integer key's value is outside its range.
SensitivitySweep sensitivity_sweep(const SensitivityParam& param);

// Every sensitivity line of `p`, in its registration's order; an error names
// the proposal.
std::vector<SensitivitySweep> sensitivity_sweeps(const Proposal& p);

}  // namespace hwsim::proposals
