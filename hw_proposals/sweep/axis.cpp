#include "hw_proposals/sweep/axis.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace hwsim::sweep {

std::vector<double> range_values(double from, double to, int count, bool log) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / (count - 1);
    out.push_back(log ? std::exp(std::log(from) + t * (std::log(to) - std::log(from))) : from + t * (to - from));
  }
  return out;
}

std::string format_value(const Axis& a, double v) {
  if (!a.labels.empty()) return a.labels.at(static_cast<size_t>(v));
  return a.integer ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{}", v);
}

std::string spec_override(const Axis& a, double v) { return fmt::format("{}={}", a.key, format_value(a, v)); }

std::vector<std::string> spec_overrides(std::span<const Axis> axes, const SweepPoint& p) {
  std::vector<std::string> out;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i].target == AxisTarget::kSpec) out.push_back(spec_override(axes[i], p.values[i]));
  }
  return out;
}

}  // namespace hwsim::sweep
