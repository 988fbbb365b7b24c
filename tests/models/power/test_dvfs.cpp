// The power-capped clock: analytic cases of models/power/dvfs.hpp.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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
  // Below the knee (u w < 1) nothing throttles: u < (f_full / f_max)^3.
  const double knee = std::pow(spec.power.fp8_mma_full_load_MHz / spec.clock.sm_max_MHz, spec.power.dvfs_exponent);
  CHECK(power_capped_clock(spec, 0.98 * knee, DataType::kFp8E4M3).time_scale == 1.0);
  CHECK(power_capped_clock(spec, 1.02 * knee, DataType::kFp8E4M3).time_scale > 1.0);
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

TEST_CASE("L2-hit traffic lowers the clock, own traffic by its rate at the stretched time") {
  const auto spec = load_gpu("h100-sxm");
  REQUIRE(spec.power.l2_budget_share_per_TBps > 0);
  const auto none = power_capped_clock(spec, 0.9, DataType::kFp8E4M3);
  double last = none.sm_clock_mhz;
  for (double tbps : {1.0, 2.0, 4.0, 6.0}) {
    const auto r = power_capped_clock(spec, 0.9, DataType::kFp8E4M3, 0, 0, tbps);
    INFO(tbps << " TB/s of L2 hits");
    CHECK(r.sm_clock_mhz < last);
    // Fixed point: the load of the busy share over what the traffic at the stretched time leaves.
    const double w = std::pow(spec.clock.sm_max_MHz / spec.power.fp8_mma_full_load_MHz, spec.power.dvfs_exponent);
    const double left = 1.0 - spec.power.l2_budget_share_per_TBps * tbps / r.time_scale;
    CHECK(spec.clock.sm_max_MHz * std::pow(r.tensor_busy * w / left, -1.0 / spec.power.dvfs_exponent) ==
          Approx(r.sm_clock_mhz).epsilon(1e-3));
    last = r.sm_clock_mhz;
  }
  // Traffic of other kernels does not stretch with this one: the same rate beside costs more.
  const auto own = power_capped_clock(spec, 0.9, DataType::kFp8E4M3, 0, 2.0, 0);
  const auto beside = power_capped_clock(spec, 0.9, DataType::kFp8E4M3, 2.0, 0, 0);
  CHECK(beside.sm_clock_mhz < own.sm_clock_mhz);
}

// Not fitted: the full-load clock comes from the fresh-operand stream on all
// SMs; the same stream on 112 SMs is predicted from it and compared with its
// own measurement (validate/data/h100-sxm/power_movement.jsonl).
TEST_CASE("the fresh-operand wgmma stream on 112 SMs settles where the model puts it") {
  namespace fs = std::filesystem;
  const auto spec = load_gpu("h100-sxm");
  std::ifstream in(fs::path(HWSIM_SOURCE_DIR) / "validate" / "data" / "h100-sxm" / "power_movement.jsonl");
  REQUIRE(in);
  double measured_mhz = 0, all_tflops = 0, all_mhz = 0, tflops_112 = 0;
  int ctas = 0;
  for (std::string line; std::getline(in, line);) {
    const auto r = nlohmann::json::parse(line);
    const std::string id = r.at("id");
    if (id.ends_with("/wgmma_fresh_112_sms")) {
      measured_mhz = r.at("derived").at("sm_clock_mhz_median");
      tflops_112 = r.at("derived").at("wgmma_TFLOPs");
      ctas = r.at("params").at("wgmma_ctas");
    }
    if (id.ends_with("/wgmma_fresh_all_sms")) {
      all_tflops = r.at("derived").at("wgmma_TFLOPs");
      all_mhz = r.at("derived").at("sm_clock_mhz_median");
    }
  }
  REQUIRE(measured_mhz > 0);
  REQUIRE(all_mhz > 0);
  // The stream keeps its tensor cores busy the fraction it did on all SMs.
  const double u = all_tflops * 1e12 / (8192.0 * spec.sm.count * all_mhz * 1e6);
  const auto r = power_capped_clock(spec, u * ctas / spec.sm.count, DataType::kFp8E4M3);
  INFO("predicted " << r.sm_clock_mhz << " MHz, measured " << measured_mhz << " MHz (" << tflops_112 << " TFLOP/s)");
  CHECK(r.sm_clock_mhz == Approx(measured_mhz).epsilon(0.02));
}
