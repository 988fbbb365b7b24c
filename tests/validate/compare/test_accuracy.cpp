#include <catch2/catch.hpp>

#include "validate/compare/accuracy.hpp"

using hwsim::error_stats;

TEST_CASE("error statistics of a known series") {
  // Errors: +10%, -20%, +5%, 0%, +50%.
  const std::vector<double> measured = {100, 100, 200, 50, 10};
  const std::vector<double> predicted = {110, 80, 210, 50, 15};
  const auto s = error_stats(predicted, measured);
  CHECK(s.count == 5);
  CHECK(s.median_abs_pct == Approx(10));
  CHECK(s.mean_abs_pct == Approx((10 + 20 + 5 + 0 + 50) / 5.0));
  CHECK(s.max_abs_pct == Approx(50));
  CHECK(s.median_signed_pct == Approx(5));
  CHECK(s.within_5 == 2);
  CHECK(s.within_10 == 3);
  CHECK(s.within_20 == 4);
  CHECK(s.pearson_r > 0.95);
  CHECK(s.pearson_r <= 1.0);
}

TEST_CASE("a perfect and an anti-correlated prediction") {
  const std::vector<double> m = {1, 2, 3, 4};
  CHECK(error_stats(m, m).pearson_r == Approx(1.0));
  CHECK(error_stats(m, m).median_abs_pct == 0);
  CHECK(error_stats({4, 3, 2, 1}, m).pearson_r == Approx(-1.0));
}

TEST_CASE("even counts take the middle pair's mean; bad input is refused") {
  CHECK(error_stats({110, 130}, {100, 100}).median_abs_pct == Approx(20));
  CHECK_THROWS(error_stats({1, 2}, {1}));
  CHECK_THROWS(error_stats({1}, {0}));
  CHECK(error_stats({}, {}).count == 0);
}
