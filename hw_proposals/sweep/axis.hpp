#pragma once
// The axes and points of a sweep (docs/sweeps.md), the part that knows no file
// and no command line: what an axis is, the grid of a range, how a value is
// written and the --set override of a GPU description key at a value.
// `hwsim sweep` reads its axes from a YAML file (apps/hwsim/sweep/); a
// proposal's sensitivity line in `hwsim study` is a one-axis sweep built from
// its registration (hw_proposals/sensitivity.hpp). Both write their values and
// overrides here, so a value reaches the simulator as the same text either way.
#include <span>
#include <string>
#include <vector>

namespace hwsim::sweep {

enum class AxisTarget { kSpec, kParam, kTokens, kProposal, kPromoteEvery };

struct Axis {
  std::string key;  // as written: "hbm.bandwidth_GBps", "param.m", "tokens"
  AxisTarget target = AxisTarget::kSpec;
  std::vector<double> values;  // a list, or the range's grid points
  bool range = false;          // from/to: random and LHS sample the interval itself
  bool log = false;
  bool integer = false;             // integer GPU keys, kernel params and tokens are whole numbers
  std::vector<std::string> labels;  // kProposal, kPromoteEvery: the names; values are their indices
  int line = 0;                     // where a sweep file gave it (0: not from a file)
};

// One point: a value per axis, in the axes' order.
struct SweepPoint {
  int index = 0;
  std::vector<double> values;
};

// The `count` grid points of [from, to], ends included, evenly spaced or (log)
// evenly spaced in the logarithm. Expects from < to, count >= 2 and, for a log
// range, from > 0 (the sweep file reader checks them and names the key).
std::vector<double> range_values(double from, double to, int count, bool log);

// A value as a table, a point's description and `hwsim run` show it: a
// labelled axis's name, a whole number for an integer axis, else the shortest
// text that reads back as the same double.
std::string format_value(const Axis& a, double v);

// "key=value", the --set override of a GPU description key's axis at `v`.
std::string spec_override(const Axis& a, double v);

// A point's --set overrides: one per GPU description axis, in the axes' order.
std::vector<std::string> spec_overrides(std::span<const Axis> axes, const SweepPoint& p);

}  // namespace hwsim::sweep
