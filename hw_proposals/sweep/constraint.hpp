#pragma once
// A sweep's constraint (docs/sweeps.md): an expression over the axes that a
// point must satisfy to be run, e.g. `param.m <= param.n`,
// `l2.bytes_per_clk * 2 > hbm.bandwidth_GBps / 1.98 and proposal != 'none'`.
// Grammar: numbers, axis keys, 'quoted' proposal names (compared with the
// proposal axis only), + - * / and parentheses, the comparisons < <= > >= ==
// !=, and `and`, `or`, `not`. Parsed once when the sweep file is read, so a
// typo fails before any point runs.
#include <string>
#include <vector>

namespace hwsim::sweep {

class Constraint {
 public:
  // `axes`: the keys it may name, in the axes' order; `labels[i]`: axis i's
  // names where its values are names (the proposal axis), else empty. Throws
  // hwsim::Error("column C: what was expected") on the first problem,
  // including a constraint that names no axis.
  static Constraint parse(const std::string& text, const std::vector<std::string>& axes,
                          const std::vector<std::vector<std::string>>& labels);
  // `values`: a point's value per axis (a name's index for a labelled axis).
  bool holds(const std::vector<double>& values) const;
  const std::string& text() const { return text_; }

  struct Node {
    enum Kind { kNumber, kAxis, kNegate, kNot, kBinary } kind = kNumber;
    std::string op;    // kBinary: + - * / < <= > >= == != and or
    double value = 0;  // kNumber
    int axis = -1;     // kAxis
    int left = -1, right = -1;
  };

 private:
  double eval(int node, const std::vector<double>& values) const;
  std::string text_;
  std::vector<Node> nodes_;
  int root_ = -1;
};

}  // namespace hwsim::sweep
