#include <catch2/catch.hpp>

#include "models/numerics/error_study.hpp"

using namespace hwsim::numerics;

namespace {

ErrorStudy study(std::vector<int> ks) {
  ErrorStudy s;
  s.distribution = RandomDistribution::uniform_pos;
  s.m = 16;
  s.n = 16;
  s.ks = std::move(ks);
  const AccumulatorParams h = accumulator_preset("hopper");
  s.configs = {{"hopper", {h, std::nullopt}},
               {"hopper+promote128", {h, 128}},
               {"fp32_exact", {accumulator_preset("fp32_exact"), std::nullopt}},
               {"bits=16", {accumulator_preset("bits=16"), std::nullopt}}};
  return s;
}

}  // namespace

TEST_CASE("error study is deterministic") {
  const auto a = run_error_study(study({256, 1024})), b = run_error_study(study({256, 1024}));
  REQUIRE(a.size() == 8);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].max_rel == b[i].max_rel);
    CHECK(a[i].mean_rel == b[i].mean_rel);
  }
}

TEST_CASE("without promotion the truncation error grows with K; promotion bounds it") {
  const auto rows = run_error_study(study({512, 4096}));
  const auto at = [&](int k, const std::string& c) {
    for (const ErrorRow& r : rows)
      if (r.k == k && r.config == c) return r;
    FAIL("missing row");
    return ErrorRow{};
  };
  CHECK(at(4096, "hopper").max_rel > 4 * at(512, "hopper").max_rel);
  CHECK(at(4096, "hopper+promote128").max_rel < 2 * at(512, "hopper+promote128").max_rel);
  CHECK(at(4096, "hopper+promote128").max_rel < at(4096, "hopper").max_rel / 10);
  CHECK(at(4096, "bits=16").max_rel < at(4096, "hopper").max_rel / 4);
  CHECK(at(4096, "fp32_exact").max_rel < 1e-5);
  // Truncation toward zero of positive sums only ever loses: a negative bias.
  CHECK(at(4096, "hopper").mean_signed_rel < 0);
}
