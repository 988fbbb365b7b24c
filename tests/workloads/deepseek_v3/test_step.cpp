// The DeepSeek-V3 training step: consistency of its breakdown, determinism,
// its inputs against the published setup, and its results against the ISCA
// 2025 Table 4 and the report's 180K GPU-hours, with the tolerances stated.
// The compute model is the roofline stand-in (optimistic by construction);
// swapping in the simulator is a change of predictor only (see
// validation_predictor below and docs/multigpu.md).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/deepseek_v3/step.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

using namespace hwsim;
using namespace hwsim::deepseek_v3;

namespace {

// The one line to change when the cycle-approximate simulator implements
// KernelPredictor.
std::unique_ptr<KernelPredictor> validation_predictor(const HardwareSpec& spec) {
  return make_roofline_predictor(spec);
}

// Published figures (ISCA 2025 Table 4; V3 report 1).
constexpr double kIscaStepS = 19.926, kIscaTflops = 432, kReportGpuHoursPerT = 180e3;

const StepResult& baseline() {
  static const StepResult r = [] {
    const auto spec = load_gpu("h800-sxm");
    auto p = validation_predictor(spec);
    return simulate_step(spec, *p, *comm::make_deepep_sm_comm(), {});
  }();
  return r;
}

// Scales every kernel time of another predictor.
class ScaledPredictor final : public KernelPredictor {
 public:
  ScaledPredictor(std::unique_ptr<KernelPredictor> inner, double factor) : inner_(std::move(inner)), factor_(factor) {}
  Prediction predict(const std::string& k, const nlohmann::json& p) override {
    Prediction r = inner_->predict(k, p);
    if (r.time_us) *r.time_us *= factor_;
    return r;
  }

 private:
  std::unique_ptr<KernelPredictor> inner_;
  double factor_;
};

// The cycle-approximate simulator as a predictor (what `hwsim step --model sim` uses).
class EnginePredictor final : public KernelPredictor {
 public:
  explicit EnginePredictor(const HardwareSpec& spec) : sim_(spec) {}
  Prediction predict(const std::string& k, const nlohmann::json& p) override {
    Prediction r;
    const KernelResult res = sim_.run({k, p});
    r.time_us = res.time_us;
    r.detail = {{"hbm_bytes", res.bytes.at("hbm_read") + res.bytes.at("hbm_write")}};
    return r;
  }

 private:
  GpuSimulator sim_;
};

class RefusingPredictor final : public KernelPredictor {
 public:
  Prediction predict(const std::string& k, const nlohmann::json&) override {
    Prediction r;  // by member: Prediction may grow fields
    if (k == "attention") {
      r.error = "no attention model";
    } else {
      r.time_us = 1.0;
    }
    return r;
  }
};

}  // namespace

TEST_CASE("step: the breakdown adds up to the step time on every rank") {
  const StepResult& r = baseline();
  CHECK(r.micro_batches == 120);  // 15,360 sequences over 128 pipelines
  CHECK(r.dp == 128);
  CHECK(r.expert_dp == 2);
  CHECK(r.f_s + r.b_s + r.w_s + r.fb_s + r.bubble_s + r.optimizer_s == Approx(r.step_s).epsilon(1e-12));
  for (const auto& k : r.ranks) CHECK(k.f_s + k.b_s + k.w_s + k.fb_s + k.bubble_s + r.optimizer_s == Approx(r.step_s));
  CHECK(r.bubble_s > 0);
  CHECK(r.fb_s > r.f_s + r.b_s + r.w_s);  // the steady state dominates
}

TEST_CASE("step: same inputs give byte-identical JSON") {
  const auto spec = load_gpu("h800-sxm");
  auto p = validation_predictor(spec);
  const auto comm = comm::make_deepep_sm_comm();
  CHECK(simulate_step(spec, *p, *comm, {}).to_json().dump() == baseline().to_json().dump());
}

TEST_CASE("step: the batch matches ISCA Table 4's 272.80B tokens per day at 19.926 s per step (0.1%)") {
  const double tokens_per_day = baseline().tokens_per_step / kIscaStepS * 86400;
  CHECK(tokens_per_day == Approx(272.80e9).epsilon(0.001));
}

TEST_CASE("step: model FLOPs per token within 10% of ISCA Table 2's 250 GFLOPs (seq 4096)") {
  // Computed from the kernel list (layer.hpp), causal attention; the kernels
  // include the MTP module and the output head twice, which ISCA's count may not.
  CHECK(baseline().model_flops_per_token / 1e9 == Approx(250).epsilon(0.10));
}

TEST_CASE("step: the report's 180K GPU-hours per trillion tokens follows from Table 4's step time (1%)") {
  const double tps = tokens_per_gpu_second(baseline().tokens_per_step, 2048, kIscaStepS);
  CHECK(gpu_hours_per_trillion_tokens(tps) == Approx(kReportGpuHoursPerT).epsilon(0.01));
}

TEST_CASE("step with the roofline stand-in: faster than ISCA Table 4 but within a factor of 2.5") {
  // A roofline predicts each kernel at its compute or HBM bound, so the step
  // must come out below the measured 19.926 s and TFLOPS above 432; the
  // factor bounds how far the stand-in may be (1.98x today: 10.04 s).
  // docs/multigpu.md gives the numbers and the 15% target for the simulator.
  const StepResult& r = baseline();
  CHECK(r.step_s < kIscaStepS);
  CHECK(r.step_s > kIscaStepS / 2.5);
  CHECK(r.tflops_per_gpu > kIscaTflops);
  CHECK(r.gpu_hours_per_trillion_tokens < kReportGpuHoursPerT);
  // The optimizer is communication and HBM bound, not compute: compare it
  // directly with Table 4's 0.29 s (within 50%).
  CHECK(r.optimizer_s == Approx(0.29).epsilon(0.5));
}

// The step with the cycle-approximate simulator against ISCA Table 4 (within
// 15%) is checked end to end, on `hwsim step`'s output, by
// tests/apps/check_step_isca.py (CTest "cli: step ISCA Table 4 within 15%"),
// which reads the step the golden test has just simulated from the tests'
// result cache instead of simulating it a second time.

TEST_CASE("step: slower kernels lengthen the step; the predictor is the only compute input") {
  const auto spec = load_gpu("h800-sxm");
  ScaledPredictor slow(validation_predictor(spec), 3.0);
  const auto r = simulate_step(spec, slow, *comm::make_deepep_sm_comm(), {});
  CHECK(r.step_s > baseline().step_s * 1.5);
  // With compute three times slower the overlap hides more of the
  // communication: the steady state grows less than threefold.
  CHECK(r.fb_s < baseline().fb_s * 3.0);
  RefusingPredictor refuse;
  CHECK_THROWS_WITH(simulate_step(spec, refuse, *comm::make_deepep_sm_comm(), {}),
                    Catch::Contains("fwd.attention") && Catch::Contains("no attention model"));
}

TEST_CASE("step options: parsed with clear errors") {
  StepOptions o;
  o.set("pp=8");
  CHECK(o.pp == 8);
  CHECK_THROWS_WITH(o.set("pp=x"), "step option pp: 'x' must be a whole number in 1..1024");
  // Each option's range: pp x ep once overflowed an int, seq and global_batch_seqs of 10^9 ran for minutes,
  // and a skew of inf gave a step time.
  const std::vector<std::pair<std::string, std::string>> out_of_range = {
      {"pp=1000000000", "step option pp: '1000000000' must be a whole number in 1..1024"},
      {"ep=1000000000", "step option ep: '1000000000' must be a whole number in 1..65536"},
      {"gpus=0", "step option gpus: '0' must be a whole number in 1..65536"},
      {"seq=1000000000", "step option seq: '1000000000' must be a whole number in 1..131072"},
      {"global_batch_seqs=1000000000",
       "step option global_batch_seqs: '1000000000' must be a whole number in 1..10000000"},
      {"seed=-1", "step option seed: '-1' must be a whole number in 1..1000000000"},
      {"skew_sigma=inf", "step option skew_sigma: 'inf' must be a number in (0, 10]"},
      {"skew_sigma=1e308", "step option skew_sigma: '1e308' must be a number in (0, 10]"},
      {"skew_sigma=nan", "step option skew_sigma: 'nan' must be a number in (0, 10]"},
      {"skew_sigma=0.5x", "step option skew_sigma: '0.5x' must be a number in (0, 10]"},
  };
  for (const auto& [option, message] : out_of_range) {
    StepOptions fresh;
    CHECK_THROWS_WITH(fresh.set(option), message);
  }
  CHECK_THROWS_WITH(o.set("ppp=8"), Catch::Contains("unknown step option 'ppp'"));
  CHECK_THROWS_WITH(o.set("pp"), Catch::Contains("KEY=VALUE"));
  StepOptions bad;
  bad.gpus = 1000;
  const auto spec = load_gpu("h800-sxm");
  auto p = validation_predictor(spec);
  CHECK_THROWS_WITH(simulate_step(spec, *p, *comm::make_deepep_sm_comm(), bad), Catch::Contains("gpus = 1000"));
}

TEST_CASE("overlap: communication's HBM traffic lengthens memory-heavy compute; bad rates are errors") {
  BlockCost b;
  b.attn_f = 1e-3;
  b.mlp_f = 1e-3;
  b.dispatch_f = 0.5e-3;
  b.combine_f = 0.5e-3;
  b.attn_b = b.mlp_b = 1e-3;
  b.dispatch_b = b.combine_b = 0.5e-3;
  b.attn_f_hbm = b.mlp_f_hbm = b.mlp_bw_hbm = b.attn_bw_hbm = 2e9;  // 2 GB per item: memory-heavy
  const std::vector<BlockCost> blocks(4, b);
  const double quiet = overlapped_fb_s(blocks, {0.0, 3e12});
  const double busy = overlapped_fb_s(blocks, {0.5e12, 3e12});
  CHECK(busy > quiet);
  // At most every one of the 16 compute items (4 per block) fully overlapped (phi <= 1).
  const double per_item = 2e9 * (1 / 2.5e12 - 1 / 3e12);
  CHECK(busy <= quiet + 16 * per_item + 1e-12);
  // Compute items without HBM traffic are not slowed.
  auto light = blocks;
  for (auto& x : light) x.attn_f_hbm = x.mlp_f_hbm = x.mlp_bw_hbm = x.attn_bw_hbm = 0;
  CHECK(overlapped_fb_s(light, {0.5e12, 3e12}) == Approx(overlapped_fb_s(light, {0.0, 3e12})));
  CHECK_THROWS_WITH(overlapped_fb_s(blocks, {3e12, 3e12}), Catch::Contains("must be in [0"));
}
