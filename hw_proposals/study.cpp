#include "hw_proposals/study.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "hw_proposals/prediction_table.hpp"
#include "hw_proposals/sensitivity.hpp"
#include "models/power/controller.hpp"
#include "models/spec/error.hpp"

namespace hwsim::proposals {
namespace {

using deepseek_v3::LayerKernel;
using nlohmann::json;

struct Timed {
  double time_us = 0;
  json detail = json::object();
  std::string error;
};

// The kernels of a layer as they run in a training step: back to back, the
// layer repeated, the power controller's state carried from launch to launch
// (models/power/controller.hpp). Needs every running kernel's power load in
// its prediction (the simulator gives one, the roofline not); otherwise the
// times stay each kernel's own.
std::vector<Timed> carried(const HardwareSpec& spec, const std::vector<StudyKernel>& ks, std::vector<Timed> t) {
  std::vector<SequenceItem> sequence;
  std::vector<size_t> index;
  for (size_t i = 0; i < ks.size(); ++i) {
    if (ks[i].change == Change::kRemoved || !t[i].error.empty()) continue;
    const auto load = power_load_from_detail(t[i].detail);
    if (!load) return t;
    sequence.push_back({*load, ks[i].kernel.count});
    index.push_back(i);
  }
  const SequenceOutcome run = run_periodic_sequence(spec, sequence);
  for (size_t j = 0; j < index.size(); ++j) {
    const PowerLoad& l = sequence[j].load;
    t[index[j]].time_us = l.gap_us + run.items[j].wake_us + l.time_us * run.items[j].time_scale;
  }
  return t;
}

json kernel_json(const StudyKernel& k, const Timed& t) {
  json j = {{"name", k.kernel.name},
            {"phase", deepseek_v3::to_string(k.kernel.phase)},
            {"kind", k.kernel.kind},
            {"params", k.kernel.params},
            {"count", k.kernel.count},
            {"time_us", k.change == Change::kRemoved ? 0.0 : t.time_us},
            {"flops", k.change == Change::kRemoved ? 0.0 : t.detail.value("flops", 0.0)},
            {"hbm_bytes", k.change == Change::kRemoved ? 0.0 : t.detail.value("hbm_bytes", 0.0)},
            {"tensor_busy", k.change == Change::kRemoved ? 0.0 : t.detail.value("tensor_busy", 0.0)},
            {"change", to_string(k.change)},
            {"stands_for", k.kernel.stands_for}};
  if (!k.why.empty()) j["why"] = k.why;
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

json totals(const json& kernels) {
  json phases = {{"forward", 0.0}, {"backward_input", 0.0}, {"backward_weight", 0.0}};
  double total = 0, hbm = 0;
  for (const auto& k : kernels) {
    const double t = k["time_us"].get<double>() * k["count"].get<int>();
    total += t;
    hbm += k["hbm_bytes"].get<double>() * k["count"].get<int>();
    phases[k["phase"].get<std::string>()] = phases[k["phase"].get<std::string>()].get<double>() + t;
  }
  return {{"total_us", total}, {"phases", phases}, {"hbm_bytes", hbm}};
}

// One configuration to simulate: the kernels a proposal rewrote, on the GPU
// with its spec delta and maybe one swept parameter.
struct Variant {
  std::vector<StudyKernel> kernels;  // the full list, baseline times for the unchanged ones
  std::vector<size_t> simulated;     // indices of the rewritten kernels
  size_t batch = 0;
};

Variant make_variant(const Proposal& p, const std::vector<LayerKernel>& layer, const StudyOptions& o,
                     std::vector<std::string> extra, std::vector<ConfigBatch>& batches) {
  Variant v;
  v.kernels = as_study(layer);
  p.rewrite(v.kernels);
  ConfigBatch b{o.gpu, o.overrides, {}, p.spec_delta()};
  b.overrides.insert(b.overrides.end(), extra.begin(), extra.end());
  for (size_t i = 0; i < v.kernels.size(); ++i) {
    if (v.kernels[i].change == Change::kRewritten) {
      v.simulated.push_back(i);
      b.kernels.push_back({v.kernels[i].kernel.kind, v.kernels[i].kernel.params});
    }
  }
  v.batch = batches.size();
  batches.push_back(std::move(b));
  return v;
}

json variant_kernels(const HardwareSpec& spec, const Variant& v, const std::vector<Timed>& base,
                     const std::vector<Prediction>& preds) {
  std::vector<Timed> timed;
  size_t next = 0;
  for (size_t i = 0; i < v.kernels.size(); ++i) {
    Timed t = base[i];
    if (next < v.simulated.size() && v.simulated[next] == i) {
      const Prediction& p = preds[next++];
      t = {p.time_us.value_or(0.0), p.detail, p.time_us ? "" : p.error};
    }
    timed.push_back(std::move(t));
  }
  timed = carried(spec, v.kernels, std::move(timed));
  json out = json::array();
  for (size_t i = 0; i < v.kernels.size(); ++i) out.push_back(kernel_json(v.kernels[i], timed[i]));
  return out;
}

}  // namespace

deepseek_v3::StepOptions study_step_options(const StudyOptions& o) {
  deepseek_v3::StepOptions s;
  s.seq = o.layer.tokens_per_gpu;
  s.ep = o.layer.ep;
  s.skewed_routing = o.layer.routing == "skewed";
  s.skew_sigma = o.layer.skew_sigma;
  s.seed = o.layer.seed;
  for (const auto& kv : o.step_options) s.set(kv);
  return s;
}

namespace {

// A sensitivity line: the one-axis sweep of a registration and a variant
// per point, the point's override applied after the study's own.
struct SensitivityLine {
  SensitivitySweep axis_sweep;
  std::vector<Variant> variants;  // one per point of axis_sweep, in order
};

// A layer-level proposal's variants: the proposal as specified and one per
// point of each sensitivity line.
struct Planned {
  const Proposal* proposal;
  Variant main;
  std::vector<SensitivityLine> sweeps;
};

Planned plan_proposal(const Proposal& p, const std::vector<LayerKernel>& layer, const StudyOptions& o,
                      std::vector<ConfigBatch>& batches) {
  Planned pl{&p, make_variant(p, layer, o, {}, batches), {}};
  if (!o.sensitivity) return pl;
  for (SensitivitySweep& one_axis : sensitivity_sweeps(p)) {
    SensitivityLine line{std::move(one_axis), {}};
    for (const auto& point : line.axis_sweep.points) {
      line.variants.push_back(make_variant(p, layer, o, line.axis_sweep.overrides(point), batches));
    }
    pl.sweeps.push_back(std::move(line));
  }
  return pl;
}

constexpr size_t kStepBatches = 2;

// The step's compute kernels, on the baseline GPU: those the layer baseline
// does not already simulate (its dense layers, output head, optimizer) go in
// kStepBatches batches of their own, right after the baseline's, so they run
// beside it. Returns the first one's index.
size_t add_step_batch(const StudyOptions& o, StepStudyOptions& step_o, const std::vector<const Proposal*>& step_level,
                      std::vector<ConfigBatch>& batches) {
  step_o.step = study_step_options(o);
  PredictionTable in_baseline;
  for (const auto& k : batches[0].kernels) in_baseline.add(k, {});
  // Two batches, the kernels dealt alternately, so that two processes share
  // the step's simulations (the largest part of the study).
  std::array<ConfigBatch, kStepBatches> b;
  size_t n = 0;
  for (const auto& k : step_kernel_requests(step_o, step_level)) {
    if (!in_baseline.contains(k)) b[n++ % kStepBatches].kernels.push_back(k);
  }
  for (ConfigBatch& part : b) {
    part.gpu = o.gpu;
    part.overrides = o.overrides;
    batches.push_back(std::move(part));
  }
  return batches.size() - kStepBatches;
}

// The baseline's kernels (batch 0) as timed; a failure is an error.
std::vector<Timed> baseline_times(const std::vector<LayerKernel>& layer, const std::vector<Prediction>& results) {
  std::vector<Timed> base(layer.size());
  for (size_t i = 0; i < layer.size(); ++i) {
    const Prediction& p = results[i];
    if (!p.time_us) throw Error(fmt::format("baseline kernel {} ({}): {}", layer[i].name, layer[i].kind, p.error));
    base[i] = {*p.time_us, p.detail, ""};
  }
  return base;
}

// The six changed kernels that save the most layer time, largest first.
json top_contributors(const json& base_kernels, const json& kernels) {
  std::vector<std::pair<double, size_t>> saved;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const double s = (base_kernels[i]["time_us"].get<double>() - kernels[i]["time_us"].get<double>()) *
                     kernels[i]["count"].get<int>();
    if (kernels[i]["change"] != "unchanged") saved.emplace_back(s, i);
  }
  std::stable_sort(saved.begin(), saved.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  json contributors = json::array();
  for (size_t j = 0; j < saved.size() && j < 6; ++j) {
    contributors.push_back({{"name", kernels[saved[j].second]["name"]},
                            {"saved_us", saved[j].first},
                            {"change", kernels[saved[j].second]["change"]}});
  }
  return contributors;
}

json sensitivity_json(const HardwareSpec& spec, const Planned& pl, const std::vector<Timed>& base,
                      const std::vector<std::vector<Prediction>>& results, double base_total) {
  json sens = json::array();
  for (const auto& [axis_sweep, variants] : pl.sweeps) {
    json pts = json::array();
    for (size_t j = 0; j < variants.size(); ++j) {
      const json pt = totals(variant_kernels(spec, variants[j], base, results[variants[j].batch]));
      pts.push_back({{"value", axis_sweep.value(axis_sweep.points[j])},
                     {"total_us", pt["total_us"]},
                     {"speedup", base_total / pt["total_us"].get<double>()}});
    }
    sens.push_back(axis_sweep.line_json(std::move(pts)));
  }
  return sens;
}

json proposal_json(const HardwareSpec& spec, const Planned& pl, const json& baseline, const std::vector<Timed>& base,
                   const std::vector<std::vector<Prediction>>& results) {
  const double base_total = baseline["total_us"];
  json kernels = variant_kernels(spec, pl.main, base, results[pl.main.batch]);
  json t = totals(kernels);
  int failed = 0;
  for (const auto& k : kernels) failed += k.contains("error");
  return {{"name", pl.proposal->name()},
          {"title", pl.proposal->title()},
          {"summary", pl.proposal->summary()},
          {"level", "layer"},
          {"total_us", t["total_us"]},
          {"speedup", base_total / t["total_us"].get<double>()},
          {"hbm_bytes_saved", baseline["hbm_bytes"].get<double>() - t["hbm_bytes"].get<double>()},
          {"phases", t["phases"]},
          {"kernels", kernels},
          {"top_contributors", top_contributors(baseline["kernels"], kernels)},
          {"sensitivity", sensitivity_json(spec, pl, base, results, base_total)},
          {"kernels_not_modelled", failed}};
}

json workload_json(const StudyOptions& o) {
  return {{"name", "deepseek-v3-layer"},
          {"tokens_per_gpu", o.layer.tokens_per_gpu},
          {"routing", o.layer.routing},
          {"ep", o.layer.ep},
          {"seed", o.layer.seed}};
}

std::vector<std::unique_ptr<Proposal>> chosen_proposals(const StudyOptions& o) {
  if (o.proposals.empty()) return all_proposals();
  std::vector<std::unique_ptr<Proposal>> chosen;
  for (const auto& n : o.proposals) chosen.push_back(find_proposal(n));
  return chosen;
}

}  // namespace

json run_study(const StudyOptions& o, const PredictorFactory& factory) {
  const auto layer = deepseek_v3::moe_layer_kernels(deepseek_v3::published_shape(), o.layer);
  const std::vector<std::unique_ptr<Proposal>> chosen = chosen_proposals(o);
  std::vector<const Proposal*> layer_level, step_level;
  for (const auto& p : chosen) (p->level() == Level::kStep ? step_level : layer_level).push_back(p.get());

  std::vector<ConfigBatch> batches;
  ConfigBatch base_batch{o.gpu, o.overrides, {}, {}};
  for (const auto& k : layer) base_batch.kernels.push_back({k.kind, k.params});
  batches.push_back(base_batch);
  StepStudyOptions step_o{o.gpu, o.overrides, {}, {}, o.sensitivity};
  const size_t step_batch = step_level.empty() ? 0 : add_step_batch(o, step_o, step_level, batches);
  std::vector<Planned> plan;
  for (const Proposal* p : layer_level) plan.push_back(plan_proposal(*p, layer, o, batches));

  const auto results = run_batches(batches, factory, o.jobs);
  const std::vector<Timed> base = baseline_times(layer, results[0]);
  const HardwareSpec spec = load_gpu(o.gpu, o.overrides);
  const std::vector<StudyKernel> base_study = as_study(layer);
  const std::vector<Timed> base_carried = carried(spec, base_study, base);
  json base_kernels = json::array();
  for (size_t i = 0; i < layer.size(); ++i) base_kernels.push_back(kernel_json(base_study[i], base_carried[i]));
  json baseline = totals(base_kernels);
  baseline["kernels"] = base_kernels;

  json proposals = json::array();
  for (const auto& pl : plan) proposals.push_back(proposal_json(spec, pl, baseline, base, results));
  json study = {{"kind", "hwsim_study"},
                {"hwsim", o.hwsim},
                {"gpu", spec.name},
                {"gpu_display_name", spec.display_name},
                {"model", o.model_name},
                {"workload", workload_json(o)},
                {"baseline", baseline},
                {"proposals", proposals},
                {"config", resolved_config_json(spec)}};
  if (!step_level.empty()) {
    // Every step shares the predictions of the baseline's batch and the step's.
    PredictionTable compute;
    for (size_t b : {size_t{0}, step_batch, step_batch + 1}) {
      for (size_t i = 0; i < batches[b].kernels.size(); ++i) compute.add(batches[b].kernels[i], results[b][i]);
    }
    study["step"] = run_step_study(step_level, step_o, compute);
  }
  return study;
}

std::string study_csv(const json& study) {
  std::string out = "configuration,kernel,phase,stat,value,unit\n";
  auto rows = [&](const std::string& config, const json& kernels) {
    for (const auto& k : kernels) {
      const std::string prefix =
          fmt::format("{},{},{},", config, k["name"].get<std::string>(), k["phase"].get<std::string>());
      out += prefix + fmt::format("time_us,{},us\n", k["time_us"].get<double>());
      out += prefix + fmt::format("count,{},launches\n", k["count"].get<int>());
      out += prefix + fmt::format("hbm_bytes,{},B\n", k["hbm_bytes"].get<double>());
      out += prefix + fmt::format("flops,{},FLOP\n", k["flops"].get<double>());
    }
  };
  rows("baseline", study["baseline"]["kernels"]);
  for (const auto& p : study["proposals"]) rows(p["name"].get<std::string>(), p["kernels"]);
  for (const auto& p : study["proposals"]) {
    out += fmt::format("{},layer,all,total_us,{},us\n", p["name"].get<std::string>(), p["total_us"].get<double>());
    out += fmt::format("{},layer,all,speedup,{},x\n", p["name"].get<std::string>(), p["speedup"].get<double>());
  }
  out += fmt::format("baseline,layer,all,total_us,{},us\n", study["baseline"]["total_us"].get<double>());
  if (study.contains("step")) {
    auto step_rows = [&](const std::string& config, const json& r) {
      const std::string prefix = config + ",step,all,";
      out += prefix + fmt::format("step_s,{},s\n", r["step_s"].get<double>());
      out += prefix + fmt::format("f_and_b_s,{},s\n", r["f_and_b_s"].get<double>());
      out += prefix + fmt::format("comm_sms,{},SMs\n", r["comm_sms"].get<int>());
      out += prefix + fmt::format("dispatch_us,{},us\n", r["dispatch_us"].get<double>());
      out += prefix + fmt::format("combine_us,{},us\n", r["combine_us"].get<double>());
      if (r.contains("speedup")) out += prefix + fmt::format("speedup,{},x\n", r["speedup"].get<double>());
    };
    step_rows("baseline", study["step"]["baseline"]);
    for (const auto& p : study["step"]["proposals"]) step_rows(p["name"].get<std::string>(), p);
  }
  return out;
}

std::string study_markdown(const json& study) {
  const json& base = study["baseline"];
  std::string out = fmt::format(
      "# What-if study: DeepSeek-V3 MoE layer on {}\n\n"
      "One MoE transformer layer's FP8 training kernels (forward, backward-for-input, backward-for-weights) for {} "
      "tokens per GPU under EP{} ({} routing), timed by the `{}` model. Baseline: **{:.1f} us** per layer "
      "(forward {:.1f}, backward-input {:.1f}, backward-weight {:.1f}).\n\n"
      "| proposal | layer time (us) | speed-up | HBM bytes saved | where the time goes |\n|---|---|---|---|---|\n",
      study["gpu_display_name"].get<std::string>(), study["workload"]["tokens_per_gpu"].get<int>(),
      study["workload"]["ep"].get<int>(), study["workload"]["routing"].get<std::string>(),
      study["model"].get<std::string>(), base["total_us"].get<double>(), base["phases"]["forward"].get<double>(),
      base["phases"]["backward_input"].get<double>(), base["phases"]["backward_weight"].get<double>());
  if (study["proposals"].empty()) out += "| (no layer-level proposal in this study) | | | | |\n";
  for (const auto& p : study["proposals"]) {
    std::vector<std::string> why;
    for (const auto& c : p["top_contributors"]) {
      if (c["saved_us"].get<double>() <= 0.05) continue;
      if (why.size() == 3) break;
      why.push_back(fmt::format("{} {} ({:+.1f} us)", c["name"].get<std::string>(), c["change"].get<std::string>(),
                                -c["saved_us"].get<double>()));
    }
    out +=
        fmt::format("| {} | {:.1f} | {:.3f}x | {:.2f} GB | {} |\n", p["title"].get<std::string>(),
                    p["total_us"].get<double>(), p["speedup"].get<double>(), p["hbm_bytes_saved"].get<double>() / 1e9,
                    why.empty() ? std::string("no kernel gets faster") : fmt::format("{}", fmt::join(why, "; ")));
  }
  return out + sensitivity_markdown(study["proposals"], "\n## Sensitivity\n\n") + step_study_markdown(study);
}

}  // namespace hwsim::proposals
