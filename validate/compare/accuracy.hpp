#pragma once
// Accuracy statistics of predictions against measurements: absolute
// percentage errors (|pred - meas| / meas), their median, mean and maximum,
// Pearson's r of the two series, and counts within 5, 10 and 20%.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hwsim {

struct ErrorStats {
  int count = 0;
  double median_abs_pct = 0;
  double mean_abs_pct = 0;
  double max_abs_pct = 0;
  double median_signed_pct = 0;  // > 0: the model predicts slower than measured
  double pearson_r = 0;          // NaN-free: 0 when fewer than 2 points or no spread
  int within_5 = 0;
  int within_10 = 0;
  int within_20 = 0;
};

// `predicted` and `measured` are paired and of equal length; measured > 0.
ErrorStats error_stats(const std::vector<double>& predicted, const std::vector<double>& measured);

nlohmann::json to_json(const ErrorStats& s);

}  // namespace hwsim
