#include "hw_proposals/sweep/spec_axis.hpp"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "models/spec/error.hpp"
#include "models/spec/hardware_spec.hpp"
#include "models/spec/units.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::sweep {
namespace {

const ParamDef* find_def(std::string_view key) {
  for (const ParamDef& d : gpu_param_schema()) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

}  // namespace

Axis spec_axis(const std::string& key) {
  Axis a;
  a.key = key;
  if (const ParamDef* d = find_def(key)) {
    if (d->kind != ValueKind::kNumber && d->kind != ValueKind::kInteger)
      throw Error("only number and integer keys can be swept");
    a.integer = d->kind == ValueKind::kInteger;
    return a;
  }
  // The message lists every kind of axis a sweep file takes; the hint only
  // GPU keys, the kind a dotted name is most likely a misspelling of.
  std::vector<std::string> keys;
  for (const ParamDef& d : gpu_param_schema()) keys.emplace_back(d.key);
  const std::string hint = closest_match(key, keys);
  throw Error(fmt::format("not a GPU description key, param.NAME, tokens, proposal or numerics.promote_every{}",
                          hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
}

double spec_quantity(const Axis& a, std::string_view text, const std::string& where) {
  const auto unit = unit_of_key(a.key);
  if (!unit) throw Error(fmt::format("{}: expected a number, got '{}'", where, text));
  return parse_quantity(text, *unit, where);
}

void check_spec_values(const Axis& a) {
  const ParamDef* def = find_def(a.key);
  if (!a.integer || def == nullptr) return;
  for (const double v : a.values) {
    if (!in_range(*def, v) || std::fabs(v) > 0x1p53)
      throw Error(fmt::format("{} is outside {}, the range of {}", v, range_text(*def), a.key));
  }
}

}  // namespace hwsim::sweep
