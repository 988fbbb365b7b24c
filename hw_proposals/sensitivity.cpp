#include "hw_proposals/sensitivity.hpp"

#include <fmt/format.h>

#include "hw_proposals/sweep/expansion.hpp"
#include "hw_proposals/sweep/spec_axis.hpp"
#include "models/spec/error.hpp"

namespace hwsim::proposals {
namespace {

// The axis over param.key with param.values, as a sweep file's
// `KEY: {values: ["V UNIT", ...]}` gives it: each value read as a quantity in
// the registration's unit (a bare number where it names none).
sweep::Axis sensitivity_axis(const SensitivityParam& param) {
  sweep::Axis a = sweep::spec_axis(param.key);
  const std::string where = param.key + ".values";
  for (const double v : param.values) {
    a.values.push_back(param.unit.empty() ? v : sweep::spec_quantity(a, fmt::format("{} {}", v, param.unit), where));
  }
  sweep::check_spec_values(a);
  return a;
}

}  // namespace

std::vector<std::string> SensitivitySweep::overrides(const sweep::SweepPoint& p) const {
  return sweep::spec_overrides({&axis, 1}, p);
}

double SensitivitySweep::value(const sweep::SweepPoint& p) const {
  return param.values.at(static_cast<size_t>(p.index));
}

nlohmann::json SensitivitySweep::line_json(nlohmann::json results) const {
  return {{"parameter", param.key}, {"unit", param.unit}, {"description", param.description}, {"points", results}};
}

SensitivitySweep sensitivity_sweep(const SensitivityParam& param) {
  SensitivitySweep s{param, {}, {}};
  try {
    s.axis = sensitivity_axis(param);
  } catch (const Error& e) {
    // spec_quantity names where the value was given; spec_axis and the range
    // check give the message alone, which a sweep file prefixes with the key.
    const std::string m = e.what();
    if (m.starts_with(param.key + ".values: ")) throw;
    throw Error(fmt::format("{}: {}", param.key, m));
  }
  s.points = sweep::expand_points({s.axis}, {}, sweep::Sampling{});
  return s;
}

std::vector<SensitivitySweep> sensitivity_sweeps(const Proposal& p) {
  std::vector<SensitivitySweep> out;
  for (const SensitivityParam& param : p.sensitivity()) {
    try {
      out.push_back(sensitivity_sweep(param));
    } catch (const Error& e) {
      throw Error(fmt::format("proposal {}: sensitivity: {}", p.name(), e.what()));
    }
  }
  return out;
}

}  // namespace hwsim::proposals
