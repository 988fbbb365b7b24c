#include "validate/compare/accuracy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/spec/error.hpp"

namespace hwsim {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

ErrorStats error_stats(const std::vector<double>& predicted, const std::vector<double>& measured) {
  if (predicted.size() != measured.size()) throw Error("error_stats: series of different lengths");
  ErrorStats s;
  s.count = static_cast<int>(measured.size());
  if (s.count == 0) return s;
  std::vector<double> abs_pct, signed_pct;
  for (size_t i = 0; i < measured.size(); ++i) {
    if (!(measured[i] > 0)) throw Error("error_stats: measured values must be > 0");
    const double e = 100.0 * (predicted[i] - measured[i]) / measured[i];
    signed_pct.push_back(e);
    abs_pct.push_back(std::fabs(e));
  }
  s.median_abs_pct = median(abs_pct);
  s.median_signed_pct = median(signed_pct);
  s.mean_abs_pct = std::accumulate(abs_pct.begin(), abs_pct.end(), 0.0) / s.count;
  s.max_abs_pct = *std::max_element(abs_pct.begin(), abs_pct.end());
  for (double e : abs_pct) {
    s.within_5 += e <= 5;
    s.within_10 += e <= 10;
    s.within_20 += e <= 20;
  }
  if (s.count >= 2) {
    const double mp = std::accumulate(predicted.begin(), predicted.end(), 0.0) / s.count;
    const double mm = std::accumulate(measured.begin(), measured.end(), 0.0) / s.count;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < measured.size(); ++i) {
      sxy += (predicted[i] - mp) * (measured[i] - mm);
      sxx += (predicted[i] - mp) * (predicted[i] - mp);
      syy += (measured[i] - mm) * (measured[i] - mm);
    }
    s.pearson_r = (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : 0;
  }
  return s;
}

nlohmann::json to_json(const ErrorStats& s) {
  return {{"count", s.count},
          {"median_abs_pct", s.median_abs_pct},
          {"mean_abs_pct", s.mean_abs_pct},
          {"max_abs_pct", s.max_abs_pct},
          {"median_signed_pct", s.median_signed_pct},
          {"pearson_r", s.pearson_r},
          {"within_5pct", s.within_5},
          {"within_10pct", s.within_10},
          {"within_20pct", s.within_20}};
}

}  // namespace hwsim
