#include "hw_proposals/sweep/expansion.hpp"

#include <algorithm>
#include <cmath>

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

std::vector<SweepPoint> grid(const std::vector<Axis>& axes) {
  size_t total = 1;
  for (const Axis& a : axes) total *= a.values.size();
  std::vector<SweepPoint> out;
  for (size_t i = 0; i < total; ++i) {
    SweepPoint p{static_cast<int>(i), std::vector<double>(axes.size())};
    size_t rest = i;
    for (size_t k = axes.size(); k-- > 0;) {  // the last axis varies fastest
      const Axis& a = axes[k];
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
std::vector<SweepPoint> sampled(const std::vector<Axis>& axes, const Sampling& s, bool lhs) {
  Rng rng{s.seed};
  const auto n = static_cast<size_t>(s.samples);
  std::vector<std::vector<size_t>> strata(axes.size());
  for (auto& order : strata) {
    for (size_t i = 0; i < n; ++i) order.push_back(i);
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  }
  std::vector<SweepPoint> out;
  for (size_t i = 0; i < n; ++i) {
    SweepPoint p{static_cast<int>(i), {}};
    for (size_t k = 0; k < axes.size(); ++k) {
      const double t = lhs ? (static_cast<double>(strata[k][i]) + rng.unit()) / static_cast<double>(n) : rng.unit();
      p.values.push_back(value_at(axes[k], t));
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

std::vector<SweepPoint> expand_points(const std::vector<Axis>& axes, const std::vector<Constraint>& constraints,
                                      const Sampling& sampling) {
  std::vector<SweepPoint> points =
      sampling.method == "grid" ? grid(axes) : sampled(axes, sampling, sampling.method == "lhs");
  std::erase_if(points, [&](const SweepPoint& p) {
    return std::any_of(constraints.begin(), constraints.end(), [&](const Constraint& c) { return !c.holds(p.values); });
  });
  return points;
}

}  // namespace hwsim::sweep
