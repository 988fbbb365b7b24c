// The communication proposals as step-level proposals: their hardware in the
// GPU description (off on every real GPU, switched on by the spec deltas),
// their EP communication models built from it, and the step study's results
// (computed from the roofline model to stay fast; the mechanisms do not
// depend on the compute model).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

#include "hw_proposals/prediction_table.hpp"
#include "hw_proposals/proposal.hpp"
#include "hw_proposals/step_study.hpp"
#include "hw_proposals/study.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/comm/comm_offload.hpp"
#include "workloads/comm/payload.hpp"
#include "workloads/comm/routing.hpp"
#include "workloads/comm/unified_fabric.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

using namespace hwsim;
using namespace hwsim::proposals;
using nlohmann::json;

namespace {

HardwareSpec with_delta(const std::string& proposal, const std::vector<std::string>& sets = {}) {
  return load_gpu("h800-sxm", sets, find_proposal(proposal)->spec_delta());
}

// Counts what reaches the model behind a PredictionTable.
class CountingPredictor final : public KernelPredictor {
 public:
  explicit CountingPredictor(std::unique_ptr<KernelPredictor> inner) : inner_(std::move(inner)) {}
  Prediction predict(const std::string& kernel, const json& params) override {
    ++calls;
    return inner_->predict(kernel, params);
  }
  int calls = 0;

 private:
  std::unique_ptr<KernelPredictor> inner_;
};

// The step study of both communication proposals on the roofline model, once
// for the whole file (about a second).
const json& step_study() {
  static const json study = [] {
    auto roofline = make_roofline_predictor(load_gpu("h800-sxm"));
    PredictionTable compute(*roofline);
    std::vector<std::unique_ptr<Proposal>> owned;
    owned.push_back(find_proposal("comm_offload"));
    owned.push_back(find_proposal("unified_scaleup_scaleout"));
    const std::vector<const Proposal*> ps{owned[0].get(), owned[1].get()};
    return run_step_study(ps, StepStudyOptions{}, compute);
  }();
  return study;
}

const json& proposal_row(const std::string& name) {
  for (const json& p : step_study()["proposals"]) {
    if (p["name"] == name) return p;
  }
  FAIL("no step row for " << name);
  throw;
}

const json& sweep(const json& row, const std::string& parameter) {
  for (const json& s : row["sensitivity"]) {
    if (s["parameter"] == parameter) return s;
  }
  FAIL("no sweep of " << parameter);
  throw;
}

}  // namespace

TEST_CASE("step level: the registry holds the two communication proposals, measured on the training step") {
  std::map<std::string, Level> levels;
  for (const auto& p : all_proposals()) levels[std::string(p->name())] = p->level();
  REQUIRE(levels.size() == 8);
  CHECK(levels["comm_offload"] == Level::kStep);
  CHECK(levels["unified_scaleup_scaleout"] == Level::kStep);
  for (const auto& [name, level] : levels) {
    if (name != "comm_offload" && name != "unified_scaleup_scaleout") CHECK(level == Level::kLayer);
  }
  CHECK(to_string(Level::kStep) == "step");
  CHECK(to_string(Level::kLayer) == "layer");
}

TEST_CASE("step level: every real GPU lacks both features, and every number of the deltas has a known source") {
  for (const auto& preset : list_gpu_presets()) {
    const HardwareSpec s = load_gpu(preset.name);
    INFO(preset.name);
    CHECK_FALSE(s.comm_coprocessor.present);
    CHECK(s.comm_coprocessor.throughput_GBps == 0);
    CHECK_FALSE(s.nic.unified_scaleup_scaleout);
    CHECK(s.nic.adapter_latency_us == 0);
  }
  for (const std::string name : {"comm_offload", "unified_scaleup_scaleout"}) {
    const HardwareSpec s = with_delta(name);
    int from_delta = 0;
    for (const auto& [key, p] : s.params.all()) {
      if (!p.origin.starts_with("hw_proposals/" + name + "/spec_delta.yaml")) continue;
      ++from_delta;
      INFO(name << " " << key << " source: " << p.source);
      CHECK((p.source.starts_with("datasheet: ") || p.source.starts_with("paper: ") ||
             p.source.starts_with("derived: ") || p.source.starts_with("assumption: ")));
      CHECK(p.source.size() > 40);
    }
    CHECK(from_delta >= 2);
  }
}

TEST_CASE("step level: the communication models read their parameters from the GPU description") {
  const HardwareSpec offload = with_delta("comm_offload");
  CHECK(offload.comm_coprocessor.present);
  const auto op = comm::CommOffloadParams::from_spec(offload);
  CHECK(op.coprocessor_GBps == 400);
  CHECK(op.coprocessor_latency_us == 2.5);
  // --set applies after the delta.
  CHECK(comm::CommOffloadParams::from_spec(with_delta("comm_offload", {"comm_coprocessor.throughput_GBps=120"}))
            .coprocessor_GBps == 120);
  const auto up =
      comm::UnifiedFabricParams::from_spec(with_delta("unified_scaleup_scaleout", {"nic.adapter_latency_us=4"}));
  CHECK(up.adapter_latency_us == 4);
}

TEST_CASE("step level: a GPU without the feature is refused with an error naming its key") {
  const HardwareSpec h800 = load_gpu("h800-sxm");
  CHECK_THROWS_WITH(comm::CommOffloadParams::from_spec(h800),
                    Catch::Contains("h800-sxm has no communication co-processor (comm_coprocessor.present is false)"));
  CHECK_THROWS_WITH(find_proposal("comm_offload")->ep_comm(h800), Catch::Contains("comm_coprocessor.present"));
  CHECK_THROWS_WITH(comm::UnifiedFabricParams::from_spec(h800),
                    Catch::Contains("nic.unified_scaleup_scaleout is false"));
  // A model built for one GPU refuses to run on another that lacks the hardware.
  const auto model = find_proposal("comm_offload")->ep_comm(with_delta("comm_offload"));
  comm::RoutingOptions ro = deepseek_v3::published_routing_options();
  ro.tokens_per_gpu = 256;
  const auto routing = comm::sample_routing(deepseek_v3::published_shape().moe(), ro);
  const auto payload = comm::token_payload(deepseek_v3::published_shape().moe());
  CHECK_THROWS_WITH(model->dispatch(h800, routing, payload), Catch::Contains("comm_coprocessor.present"));
  CHECK_NOTHROW(model->dispatch(with_delta("comm_offload"), routing, payload));
  // A co-processor that is present must move data.
  CHECK_THROWS_WITH(
      load_gpu("h800-sxm", {"comm_coprocessor.present=true"}),
      Catch::Contains("comm_coprocessor.present is true, so comm_coprocessor.throughput_GBps must be > 0"));
}

TEST_CASE("step level: the co-processor holds no SMs, is no slower at its defaults and slower at 10 GB/s", "[slow]") {
  const json& base = step_study()["baseline"];
  const json& offload = proposal_row("comm_offload");
  CHECK(base["comm_sms"] == 20);
  CHECK(offload["comm_sms"] == 0);
  CHECK(offload["step_s"].get<double>() <= base["step_s"].get<double>());
  // Returning the SMs shortens the overlapped steady state.
  CHECK(offload["f_and_b_s"].get<double>() < base["f_and_b_s"].get<double>());
  const json& rate = sweep(offload, "comm_coprocessor.throughput_GBps");
  REQUIRE(rate["points"].size() >= 4);
  CHECK(rate["points"][0]["value"] == 10.0);
  CHECK(rate["points"][0]["step_s"].get<double>() > base["step_s"].get<double>());
  // At its default the links bound the all-to-all, as with DeepEP's SMs.
  CHECK(offload["dispatch_bound"] == "ib");
  CHECK(offload["combine_bound"] == "ib");
  // More throughput never makes the step slower.
  for (size_t i = 1; i < rate["points"].size(); ++i) {
    CHECK(rate["points"][i]["step_s"].get<double>() <= rate["points"][i - 1]["step_s"].get<double>());
  }
  // The default point of the sweep is the proposal's own result.
  for (const json& pt : rate["points"]) {
    if (pt["value"] == 400.0) CHECK(pt["step_s"] == offload["step_s"]);
  }
}

TEST_CASE("step level: the unified adapter holds no SMs, removes the relay's HBM round trip and shortens the step",
          "[slow]") {
  const json& base = step_study()["baseline"];
  const json& unified = proposal_row("unified_scaleup_scaleout");
  CHECK(unified["comm_sms"] == 0);
  CHECK(unified["step_s"].get<double>() < base["step_s"].get<double>());
  // No store-and-forward through the relay: the dispatch's fill is shorter.
  CHECK(unified["dispatch_us"].get<double>() < base["dispatch_us"].get<double>());
  const json& lat = sweep(unified, "nic.adapter_latency_us");
  for (size_t i = 1; i < lat["points"].size(); ++i) {
    CHECK(lat["points"][i]["step_s"].get<double>() >= lat["points"][i - 1]["step_s"].get<double>());
  }
  const auto model = find_proposal("unified_scaleup_scaleout")->ep_comm(with_delta("unified_scaleup_scaleout"));
  comm::RoutingOptions ro = deepseek_v3::published_routing_options();
  const auto routing = comm::sample_routing(deepseek_v3::published_shape().moe(), ro);
  const auto payload = comm::token_payload(deepseek_v3::published_shape().moe());
  const auto h800 = load_gpu("h800-sxm");
  CHECK(model->dispatch(with_delta("unified_scaleup_scaleout"), routing, payload).hbm_write_bytes <
        comm::make_deepep_sm_comm()->dispatch(h800, routing, payload).hbm_write_bytes);
}

TEST_CASE("step level: every speed-up is the baseline step time over the proposal's", "[slow]") {
  const json& st = step_study();
  const double base = st["baseline"]["step_s"];
  REQUIRE(st["proposals"].size() == 2);
  for (const json& p : st["proposals"]) {
    INFO(p["name"]);
    CHECK(p["level"] == "step");
    CHECK(p["speedup"].get<double>() == base / p["step_s"].get<double>());
    for (const json& s : p["sensitivity"]) {
      for (const json& pt : s["points"]) CHECK(pt["speedup"].get<double>() == base / pt["step_s"].get<double>());
    }
  }
  CHECK(st["workload"]["name"] == "deepseek-v3-step");
  CHECK(st["workload"]["micro_batches"] == 120);
}

TEST_CASE("step level: a layer-level proposal is refused by the step study") {
  auto roofline = make_roofline_predictor(load_gpu("h800-sxm"));
  const auto p = find_proposal("group_scaled_mma");
  const std::vector<const Proposal*> ps{p.get()};
  CHECK_THROWS_WITH(run_step_study(ps, StepStudyOptions{}, *roofline),
                    Catch::Contains("'group_scaled_mma' is studied on the layer"));
}

TEST_CASE("prediction table: asks its model once per distinct kernel, or names a kernel it was not given") {
  CountingPredictor counting(make_roofline_predictor(load_gpu("h800-sxm")));
  PredictionTable cached(counting);
  const json params = {{"bytes", 1 << 20}};
  const Prediction a = cached.predict("read", params);
  const Prediction b = cached.predict("read", params);
  CHECK(counting.calls == 1);
  REQUIRE(a.time_us);
  CHECK(*a.time_us == *b.time_us);
  PredictionTable given;
  given.add({"read", params}, a);
  CHECK(given.predict("read", params).time_us == a.time_us);
  const Prediction missing = given.predict("write", params);
  CHECK_FALSE(missing.time_us);
  CHECK_THAT(missing.error, Catch::Contains("write") && Catch::Contains("was not predicted beforehand"));
}

TEST_CASE("study: step rows from the shared batches equal a step timed directly, deterministically", "[slow]") {
  StudyOptions o;
  o.model_name = "roofline";
  o.proposals = {"comm_offload", "group_scaled_mma"};
  o.sensitivity = false;
  const PredictorFactory f = [](const HardwareSpec& s) { return make_roofline_predictor(s); };
  const json a = run_study(o, f);
  CHECK(a.dump() == run_study(o, f).dump());
  // The layer-level proposal is in "proposals", the step-level one under "step".
  REQUIRE(a["proposals"].size() == 1);
  CHECK(a["proposals"][0]["name"] == "group_scaled_mma");
  CHECK(a["proposals"][0]["level"] == "layer");
  REQUIRE(a.contains("step"));
  REQUIRE(a["step"]["proposals"].size() == 1);
  // The batches' predictions (layer baseline + the step's other kernels)
  // give the step exactly what the model gives it directly.
  const HardwareSpec h800 = load_gpu("h800-sxm");
  auto roofline = make_roofline_predictor(h800);
  const auto direct = deepseek_v3::simulate_step(h800, *roofline, *comm::make_deepep_sm_comm(), {});
  CHECK(a["step"]["baseline"]["step_s"].get<double>() == direct.step_s);
  const HardwareSpec offload = with_delta("comm_offload");
  const auto direct_offload = deepseek_v3::simulate_step(
      offload, *roofline, *comm::make_comm_offload(comm::CommOffloadParams::from_spec(offload)), {});
  CHECK(a["step"]["proposals"][0]["step_s"].get<double>() == direct_offload.step_s);
  CHECK(a["step"]["proposals"][0]["sensitivity"].empty());
}

TEST_CASE("study: a study of layer-level proposals only has no step part") {
  StudyOptions o;
  o.model_name = "roofline";
  o.proposals = {"transposed_gemm"};
  o.sensitivity = false;
  const json a = run_study(o, [](const HardwareSpec& s) { return make_roofline_predictor(s); });
  CHECK_FALSE(a.contains("step"));
  CHECK(study_markdown(a).find("Training step") == std::string::npos);
}

TEST_CASE("study: the step follows the layer's micro-batch, then the step options") {
  StudyOptions o;
  o.layer.tokens_per_gpu = 2048;
  o.layer.routing = "skewed";
  o.layer.seed = 7;
  o.step_options = {"pp=8", "gpus=512"};
  const auto s = study_step_options(o);
  CHECK(s.seq == 2048);
  CHECK(s.skewed_routing);
  CHECK(s.seed == 7);
  CHECK(s.pp == 8);
  CHECK(s.gpus == 512);
  o.step_options = {"bogus=1"};
  CHECK_THROWS_WITH(study_step_options(o), Catch::Contains("unknown step option 'bogus'"));
}
