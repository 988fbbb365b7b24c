// The power controller's dynamics (models/power/controller.hpp): analytic
// cases and the rules the regimes must obey.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/power/controller.hpp"
#include "models/power/dvfs.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

namespace {
// The H100 with a controller that has headroom (the rules below hold for any
// calibration; these values only make the effects visible).
HardwareSpec with_headroom() {
  HardwareSpec spec = load_gpu("h100-sxm");
  spec.power.response_tau_ms = 800;
  spec.power.rested_headroom = 0.4;
  spec.power.fast_budget = 1.3;
  return spec;
}

// A GEMM-like launch: tensor cores 90% busy at the maximum clock, some traffic.
PowerLoad heavy(double time_us = 1000) {
  PowerLoad k;
  k.time_us = time_us;
  k.gap_us = 4;
  k.tensor_busy = 0.9;
  k.mma_type = DataType::kFp8E4M3;
  k.own_hbm_TBps = 0.5;
  k.own_l2_TBps = 2.0;
  return k;
}
}  // namespace

TEST_CASE("a heavy kernel repeated forever settles at the sustained budget, as the calibrated dvfs model") {
  const auto spec = with_headroom();
  const PowerLoad k = heavy();
  const HistoryOutcome h = run_in_history(spec, k, parse_power_history("sustained", "test"));
  const DvfsResult steady = power_capped_clock(spec, k.tensor_busy, k.mma_type, 0, k.own_hbm_TBps, k.own_l2_TBps);
  // The 4 us gap per 1000 us launch lets the heat settle 0.4% below the budget: the clock within 0.5%.
  CHECK(h.launch.clock_mhz == Approx(steady.sm_clock_mhz).epsilon(5e-3));
  CHECK(h.launch.budget_before == Approx(1.0).epsilon(5e-3));
}

TEST_CASE("a rested GPU runs a heavy kernel faster than a sustained one; a long train slows toward sustained") {
  const auto spec = with_headroom();
  const PowerLoad k = heavy();
  const double sustained = run_in_history(spec, k, parse_power_history("sustained", "t")).launch.time_scale;
  const double idle = run_in_history(spec, k, parse_power_history("idle", "t")).launch.time_scale;
  CHECK(idle < sustained);
  // Rested fully (idle for many time constants), the budget is the rested one.
  CHECK(run_in_history(spec, k, parse_power_history("idle:idle_before_ms=1e6", "t")).launch.budget_before ==
        Approx(std::min(spec.power.fast_budget, 1.0 + spec.power.rested_headroom)).epsilon(1e-3));
  // Each launch of a back-to-back train is no faster than the one before it.
  const auto train = run_in_history(spec, k, parse_power_history("train:launches=200", "t")).train_time_scales;
  REQUIRE(train.size() == 200);
  for (size_t i = 1; i < train.size(); ++i) CHECK(train[i] >= train[i - 1] - 1e-12);
  CHECK(train.front() == Approx(idle));
  CHECK(train.back() <= sustained + 1e-9);
  // A train much longer than the time constant ends at the sustained time.
  const int long_train = static_cast<int>(20 * spec.power.response_tau_ms * 1000 / 1004) + 1;
  const auto settled = run_in_history(spec, k, parse_power_history("train:launches=" + std::to_string(long_train), "t"))
                           .train_time_scales.back();
  CHECK(settled == Approx(sustained).epsilon(1e-3));
}

TEST_CASE("idle time restores the budget with the response time constant") {
  const auto spec = with_headroom();
  PowerController c(spec);
  c.set_heat(1.0);
  const double tau_us = spec.power.response_tau_ms * 1000;
  c.rest(tau_us);
  CHECK(c.heat() == Approx(std::exp(-1.0)).epsilon(1e-9));
  // Short idle before a launch recovers less than long idle.
  const PowerLoad k = heavy();
  const double short_idle =
      run_in_history(spec, k, parse_power_history("idle:idle_before_ms=1", "t")).launch.time_scale;
  const double long_idle =
      run_in_history(spec, k, parse_power_history("idle:idle_before_ms=100000", "t")).launch.time_scale;
  CHECK(long_idle < short_idle);
}

TEST_CASE("kernels that leave the tensor cores idle are never throttled, whatever the history") {
  const auto spec = with_headroom();
  PowerLoad k;
  k.time_us = 500;
  k.own_hbm_TBps = 3.0;
  for (const char* h : {"sustained", "idle", "train"}) {
    CHECK(run_in_history(spec, k, parse_power_history(h, "t")).launch.time_scale == 1.0);
  }
}

TEST_CASE("without headroom every regime gives the sustained clock of the dvfs model") {
  HardwareSpec spec = load_gpu("h100-sxm");
  spec.power.rested_headroom = 0;
  spec.power.fast_budget = 1;
  const PowerLoad k = heavy();
  const DvfsResult steady = power_capped_clock(spec, k.tensor_busy, k.mma_type, 0, k.own_hbm_TBps, k.own_l2_TBps);
  for (const char* h : {"sustained", "idle", "train:launches=5"}) {
    INFO(h);
    CHECK(run_in_history(spec, k, parse_power_history(h, "t")).launch.time_scale ==
          Approx(steady.time_scale).epsilon(1e-12));
  }
}

TEST_CASE(
    "a periodic sequence: light kernels between heavy ones let the heat fall, and one pass returns to its "
    "start") {
  const auto spec = with_headroom();
  PowerLoad light;
  light.time_us = 800;
  light.gap_us = 4;
  light.own_hbm_TBps = 2.5;
  const std::vector<SequenceItem> alone = {{heavy(), 10}};
  const std::vector<SequenceItem> mixed = {{heavy(), 10}, {light, 10}};
  const SequenceOutcome a = run_periodic_sequence(spec, alone);
  const SequenceOutcome m = run_periodic_sequence(spec, mixed);
  CHECK(m.periodic_heat < a.periodic_heat);
  CHECK(m.items[0].time_scale < a.items[0].time_scale);
  CHECK(m.items[1].time_scale == 1.0);  // no tensor work: never throttled
  // Periodic: a further pass from the end heat ends where it began.
  PowerController c(spec);
  c.set_heat(m.periodic_heat);
  for (const auto& it : mixed)
    for (int i = 0; i < it.count; ++i) c.run(it.load);
  CHECK(c.heat() == Approx(m.periodic_heat).epsilon(1e-6));
}

TEST_CASE("a power load survives its trip through a prediction's detail") {
  const PowerLoad k = heavy();
  const auto back = power_load_from_detail({{"power_load", to_json(k)}});
  REQUIRE(back);
  CHECK(back->time_us == k.time_us);
  CHECK(back->tensor_busy == k.tensor_busy);
  CHECK(back->mma_type == k.mma_type);
  CHECK(back->own_l2_TBps == k.own_l2_TBps);
  CHECK_FALSE(power_load_from_detail({{"flops", 1}}));
}

TEST_CASE("regime strings: settings parsed, mistakes named") {
  const PowerHistory t = parse_power_history("train:idle_before_ms=50,launches=27,gap_us=60", "x");
  CHECK(t.kind == PowerHistory::Kind::kTrain);
  CHECK(t.idle_before_ms == 50);
  CHECK(t.launches == 27);
  CHECK(t.gap_us == 60);
  CHECK(parse_power_history(t.describe(), "x").launches == 27);
  CHECK_THROWS_WITH(parse_power_history("warm", "record f.jsonl:3"),
                    Catch::Contains("f.jsonl:3") && Catch::Contains("unknown regime 'warm'"));
  CHECK_THROWS_WITH(parse_power_history("train:launches=0", "x"), Catch::Contains("launches=0"));
  CHECK_THROWS_WITH(parse_power_history("train:launches=2.5", "x"), Catch::Contains("whole number"));
  CHECK_THROWS_WITH(parse_power_history("idle:launches=3", "x"), Catch::Contains("not a setting of regime idle"));
  CHECK_THROWS_WITH(parse_power_history("train:gap_us=-1", "x"), Catch::Contains("gap_us=-1"));
  CHECK_THROWS_WITH(parse_power_history("train:gap_us=nan", "x"), Catch::Contains("finite"));
  CHECK_THROWS_WITH(parse_power_history("sustained:gap_us=3", "x"), Catch::Contains("sustained: none"));
}

TEST_CASE("a launch after idle time waits for the GPU to wake, by the measured table") {
  HardwareSpec spec = with_headroom();
  spec.power.wake_idle_ms = {0, 1, 100};
  spec.power.wake_latency_us = {0, 50, 250};
  CHECK(wake_latency_us(spec, 0) == 0);
  CHECK(wake_latency_us(spec, 0.5) == Approx(25));
  CHECK(wake_latency_us(spec, 50.5) == Approx(150));
  CHECK(wake_latency_us(spec, 1e6) == 250);  // beyond the table: its last value
  PowerLoad k = heavy(100);
  const auto idle = run_in_history(spec, k, parse_power_history("idle:idle_before_ms=100", "t")).launch;
  CHECK(idle.wake_us == Approx(250));
  // Back to back, the launch gap alone is idle: (4 us = 0.004 ms) -> 0.2 us.
  const auto sustained = run_in_history(spec, k, parse_power_history("sustained", "t")).launch;
  CHECK(sustained.wake_us == Approx(0.2));
  // In a train only the first launch wakes from the long idle time.
  const auto train = run_in_history(spec, k, parse_power_history("train:idle_before_ms=100,launches=5,gap_us=0", "t"));
  CHECK(train.launch.wake_us < 1.0);
}
