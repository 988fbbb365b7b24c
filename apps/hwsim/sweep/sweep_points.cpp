// A sweep's points and what each one runs: grid, random and Latin-hypercube
// sampling from an explicit seed (a generator written out here, so the same
// seed gives the same points with any standard library), and the `hwsim run`
// arguments and content-hashed spec of a point.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "apps/hwsim/sweep/sweep_spec.hpp"

namespace hwsim::sweep {
namespace {

// splitmix64 (Steele et al. 2014): deterministic on every platform.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// The value at position t in [0, 1) of an axis: a point of its interval
// (ranges) or one of its listed values.
double value_at(const Axis& a, double t) {
  double v = 0;
  if (a.range) {
    const double lo = a.values.front(), hi = a.values.back();
    v = a.log ? std::exp(std::log(lo) + t * (std::log(hi) - std::log(lo))) : lo + t * (hi - lo);
  } else {
    const auto i = std::min(a.values.size() - 1, static_cast<size_t>(t * static_cast<double>(a.values.size())));
    v = a.values[i];
  }
  return a.integer ? std::round(v) : v;
}

std::vector<SweepPoint> grid(const SweepSpec& s) {
  size_t total = 1;
  for (const Axis& a : s.axes) total *= a.values.size();
  std::vector<SweepPoint> out;
  for (size_t i = 0; i < total; ++i) {
    SweepPoint p{static_cast<int>(i), std::vector<double>(s.axes.size())};
    size_t rest = i;
    for (size_t k = s.axes.size(); k-- > 0;) {  // the last axis varies fastest
      const Axis& a = s.axes[k];
      const double v = a.values[rest % a.values.size()];
      p.values[k] = a.integer ? std::round(v) : v;
      rest /= a.values.size();
    }
    out.push_back(std::move(p));
  }
  return out;
}

// Latin hypercube: each axis's [0, 1) cut into `samples` strata, one point per
// stratum, the strata shuffled independently per axis.
std::vector<SweepPoint> sampled(const SweepSpec& s, bool lhs) {
  Rng rng{s.seed};
  const auto n = static_cast<size_t>(s.samples);
  std::vector<std::vector<size_t>> strata(s.axes.size());
  for (auto& order : strata) {
    for (size_t i = 0; i < n; ++i) order.push_back(i);
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  std::vector<SweepPoint> out;
  for (size_t i = 0; i < n; ++i) {
    SweepPoint p{static_cast<int>(i), {}};
    for (size_t k = 0; k < s.axes.size(); ++k) {
      const double t = lhs ? (static_cast<double>(strata[k][i]) + rng.unit()) / static_cast<double>(n) : rng.unit();
      p.values.push_back(value_at(s.axes[k], t));
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::vector<SweepPoint> expand(const SweepSpec& s) {
  std::vector<SweepPoint> points = s.method == "grid" ? grid(s) : sampled(s, s.method == "lhs");
  std::erase_if(points, [&](const SweepPoint& p) {
    return std::any_of(s.constraints.begin(), s.constraints.end(),
                       [&](const Constraint& c) { return !c.holds(p.values); });
  });
  return points;
}

std::string format_value(const Axis& a, double v) {
  if (!a.labels.empty()) return a.labels.at(static_cast<size_t>(v));
  return a.integer ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{}", v);
}

std::vector<std::string> point_arguments(const SweepSpec& s, const SweepPoint& p) {
  std::vector<std::string> argv = {"--gpu", s.gpu};
  for (const auto& o : s.overrides) argv.insert(argv.end(), {"--set", o});
  for (const auto& name : s.proposals) argv.insert(argv.end(), {"--proposal", name});
  std::string tokens = std::to_string(s.tokens);
  std::string promote = s.fp8_promote_every;
  std::vector<std::string> params;
  for (const auto& [k, v] : s.params.items())
    params.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  for (size_t i = 0; i < s.axes.size(); ++i) {
    const Axis& a = s.axes[i];
    const std::string v = format_value(a, p.values[i]);
    if (a.target == AxisTarget::kSpec) argv.insert(argv.end(), {"--set", a.key + "=" + v});
    if (a.target == AxisTarget::kTokens) tokens = v;
    if (a.target == AxisTarget::kProposal && v != "none") argv.insert(argv.end(), {"--proposal", v});
    if (a.target == AxisTarget::kPromoteEvery) promote = v;
    if (a.target == AxisTarget::kParam) {
      const std::string name = a.key.substr(6);
      std::erase_if(params, [&](const std::string& q) { return q.starts_with(name + "="); });
      params.push_back(name + "=" + v);
    }
  }
  if (s.fp8_k > 0)
    argv.insert(argv.end(), {"--fp8-error-k", std::to_string(s.fp8_k), "--fp8-error-promote-every", promote});
  if (s.kernel.empty()) {
    argv.insert(argv.end(), {"--workload", "deepseek-v3-layer", "--tokens", tokens});
  } else {
    argv.insert(argv.end(), {"--kernel", s.kernel});
    for (const auto& q : params) argv.insert(argv.end(), {"--param", q});
  }
  return argv;
}

nlohmann::json point_spec(const SweepSpec& s, const SweepPoint& p, std::string_view simulator_version) {
  nlohmann::json axes = nlohmann::json::object();
  for (size_t i = 0; i < s.axes.size(); ++i) {
    const Axis& a = s.axes[i];
    axes[a.key] = a.labels.empty() ? nlohmann::json(p.values[i]) : nlohmann::json(format_value(a, p.values[i]));
  }
  return {{"hwsim_run", point_arguments(s, p)}, {"axes", axes}, {"simulator", simulator_version}};
}

}  // namespace hwsim::sweep
