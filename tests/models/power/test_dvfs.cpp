// The power-capped clock: analytic cases of models/power/dvfs.hpp.
#include <catch2/catch.hpp>

#include "models/power/dvfs.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

TEST_CASE("a fully busy tensor stream settles at the calibrated full-load clock") {
  const auto spec = load_gpu("h100-sxm");
  const auto fp8 = power_capped_clock(spec, 1.0, DataType::kFp8E4M3);
  CHECK(fp8.sm_clock_mhz == Approx(spec.power.fp8_mma_full_load_MHz).epsilon(1e-4));
  CHECK(fp8.time_scale == Approx(spec.clock.sm_MHz / spec.power.fp8_mma_full_load_MHz).epsilon(1e-4));
  const auto bf16 = power_capped_clock(spec, 1.0, DataType::kBf16);
  CHECK(bf16.sm_clock_mhz == Approx(spec.power.bf16_mma_full_load_MHz).epsilon(1e-4));
}

TEST_CASE("idle tensor cores leave the clock at its maximum; more tensor work lowers it monotonically") {
  const auto spec = load_gpu("h100-sxm");
  const auto idle = power_capped_clock(spec, 0.0, DataType::kFp8E4M3);
  CHECK(idle.sm_clock_mhz == spec.clock.sm_MHz);
  CHECK(idle.time_scale == 1.0);
  double last = spec.clock.sm_MHz + 1;
  for (double u : {0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}) {
    const auto r = power_capped_clock(spec, u, DataType::kFp8E4M3);
    INFO("u = " << u);
    CHECK(r.sm_clock_mhz <= last);
    CHECK(r.time_scale >= 1.0);
    CHECK(r.time_scale <= spec.clock.sm_MHz / spec.power.fp8_mma_full_load_MHz + 1e-9);
    last = r.sm_clock_mhz;
  }
  // Below the knee (u w < 1) nothing throttles: w = (1980 / 1643)^3 = 1.75, so u < 0.57.
  CHECK(power_capped_clock(spec, 0.5, DataType::kFp8E4M3).time_scale == 1.0);
}

TEST_CASE("the fixed point is self-consistent") {
  const auto spec = load_gpu("h100-sxm");
  const auto r = power_capped_clock(spec, 0.9, DataType::kFp8E4M3);
  // The busy share at the sustained clock, loaded onto the budget, gives back that clock.
  const double w = std::pow(spec.clock.sm_max_MHz / spec.power.fp8_mma_full_load_MHz, spec.power.dvfs_exponent);
  CHECK(spec.clock.sm_max_MHz * std::pow(r.tensor_busy * w, -1.0 / spec.power.dvfs_exponent) ==
        Approx(r.sm_clock_mhz).epsilon(1e-4));
  CHECK(r.tensor_busy > 0.9);
}
