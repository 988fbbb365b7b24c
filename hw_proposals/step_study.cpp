#include "hw_proposals/step_study.hpp"

#include <fmt/format.h>

#include "hw_proposals/prediction_table.hpp"
#include "hw_proposals/sensitivity.hpp"
#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::proposals {
namespace {

using nlohmann::json;

// What the study reports of one step.
json step_json(const deepseek_v3::StepResult& r, int comm_sms) {
  return {{"comm_model", r.comm_model},
          {"step_s", r.step_s},
          {"f_and_b_s", r.fb_s},
          {"bubble_s", r.bubble_s},
          {"optimizer_s", r.optimizer_s},
          {"comm_sms", comm_sms},
          {"dispatch_us", sim::us_from_seconds(r.dispatch.time_s)},
          {"combine_us", sim::us_from_seconds(r.combine.time_s)},
          {"dispatch_bound", r.dispatch.bound},
          {"combine_bound", r.combine.bound},
          {"tokens_per_gpu_s", r.tokens_per_gpu_s},
          {"mfu", r.mfu},
          {"breakdown_s",
           {{"1F", r.f_s},
            {"1B", r.b_s},
            {"1W", r.w_s},
            {"1F1B", r.fb_s},
            {"bubble", r.bubble_s},
            {"optimizer", r.optimizer_s}}}};
}

// One proposal's step on its GPU: the base GPU with the proposal's spec delta,
// the study's overrides and maybe one swept parameter.
json proposal_step(const Proposal& p, const StepStudyOptions& o, const std::vector<std::string>& extra,
                   KernelPredictor& compute, comm::RoutingSamples& routings) {
  std::vector<std::string> overrides = o.overrides;
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  const HardwareSpec spec = load_gpu(o.gpu, overrides, p.spec_delta());
  const auto comm = p.ep_comm(spec);
  if (!comm) throw Error(fmt::format("step study: proposal '{}' brings no communication model", p.name()));
  return step_json(deepseek_v3::simulate_step(spec, compute, *comm, o.step, &routings), comm->sms_held());
}

}  // namespace

std::vector<KernelRequest> step_kernel_requests(const StepStudyOptions& o, std::span<const Proposal* const> proposals) {
  // The study itself, with every kernel taking 1 us: the kernels a step asks
  // for depend on its communication (the SMs it holds, the HBM traffic it
  // puts beside compute), never on the kernels' times.
  RecordingPredictor recorder;
  (void)run_step_study(proposals, o, recorder);
  return recorder.take();
}

json run_step_study(std::span<const Proposal* const> proposals, const StepStudyOptions& o, KernelPredictor& compute) {
  for (const Proposal* p : proposals) {
    if (p->level() != Level::kStep) {
      throw Error(fmt::format("step study: proposal '{}' is studied on the layer, not the training step", p->name()));
    }
  }
  const HardwareSpec spec = load_gpu(o.gpu, o.overrides);
  const auto base_comm = comm::make_deepep_sm_comm(o.baseline);
  // The baseline, proposals and sweep points route the same tokens: sampled once.
  comm::RoutingSamples routings;
  const deepseek_v3::StepResult base = deepseek_v3::simulate_step(spec, compute, *base_comm, o.step, &routings);
  const double base_s = base.step_s;

  json rows = json::array();
  for (const Proposal* p : proposals) {
    json row = {{"name", p->name()}, {"title", p->title()}, {"summary", p->summary()}, {"level", "step"}};
    row.update(proposal_step(*p, o, {}, compute, routings));
    row["speedup"] = base_s / row["step_s"].get<double>();
    json sens = json::array();
    if (o.sensitivity) {
      for (const SensitivitySweep& line : sensitivity_sweeps(*p)) {
        json pts = json::array();
        for (const sweep::SweepPoint& point : line.points) {
          const json pt = proposal_step(*p, o, line.overrides(point), compute, routings);
          pts.push_back({{"value", line.value(point)},
                         {"step_s", pt["step_s"]},
                         {"speedup", base_s / pt["step_s"].get<double>()},
                         {"f_and_b_s", pt["f_and_b_s"]},
                         {"dispatch_us", pt["dispatch_us"]},
                         {"combine_us", pt["combine_us"]}});
        }
        sens.push_back(line.line_json(std::move(pts)));
      }
    }
    row["sensitivity"] = sens;
    rows.push_back(row);
  }
  const auto& so = o.step;
  return {{"workload",
           {{"name", "deepseek-v3-step"},
            {"gpus", so.gpus},
            {"pp", so.pp},
            {"ep", so.ep},
            {"tokens_per_gpu", so.seq},
            {"global_batch_seqs", so.global_batch_seqs},
            {"micro_batches", base.micro_batches},
            {"mtp", so.mtp},
            {"routing", so.skewed_routing ? "skewed" : "balanced"},
            {"seed", so.seed}}},
          {"baseline", step_json(base, base_comm->sms_held())},
          {"proposals", rows}};
}

std::string step_study_markdown(const json& study) {
  if (!study.contains("step")) return "";
  const json& st = study["step"];
  const json& w = st["workload"];
  const json& b = st["baseline"];
  std::string out = fmt::format(
      "\n## Training step: communication proposals\n\n"
      "One DeepSeek-V3 training step on {} GPUs (PP{} DualPipe, EP{}, {} micro-batches of {} tokens, {} routing), "
      "compute timed by the `{}` model, the EP all-to-all by the interconnect model. Baseline (DeepEP on {} SMs): "
      "**{:.3f} s** per step (1F1B {:.3f} s, dispatch {:.0f} us, combine {:.0f} us per layer).\n\n"
      "| proposal | step time (s) | speed-up | 1F1B (s) | SMs held | dispatch (us) | combine (us) |\n"
      "|---|---|---|---|---|---|---|\n",
      w["gpus"].get<int>(), w["pp"].get<int>(), w["ep"].get<int>(), w["micro_batches"].get<int>(),
      w["tokens_per_gpu"].get<int>(), w["routing"].get<std::string>(), study["model"].get<std::string>(),
      b["comm_sms"].get<int>(), b["step_s"].get<double>(), b["f_and_b_s"].get<double>(), b["dispatch_us"].get<double>(),
      b["combine_us"].get<double>());
  for (const json& p : st["proposals"]) {
    out += fmt::format("| {} | {:.3f} | {:.3f}x | {:.3f} | {} | {:.0f} | {:.0f} |\n", p["title"].get<std::string>(),
                       p["step_s"].get<double>(), p["speedup"].get<double>(), p["f_and_b_s"].get<double>(),
                       p["comm_sms"].get<int>(), p["dispatch_us"].get<double>(), p["combine_us"].get<double>());
  }
  return out + sensitivity_markdown(st["proposals"], "\nSensitivity (speed-up of the step):\n\n");
}

std::string sensitivity_markdown(const json& proposals, const std::string& heading) {
  std::string out;
  for (const json& p : proposals) {
    for (const json& s : p["sensitivity"]) {
      if (out.empty()) out = heading;
      std::vector<std::string> pts;
      for (const json& pt : s["points"]) {
        pts.push_back(fmt::format("{} {} -> {:.3f}x", pt["value"].get<double>(), s["unit"].get<std::string>(),
                                  pt["speedup"].get<double>()));
      }
      out += fmt::format("- **{}**, `{}` ({}): {}\n", p["title"].get<std::string>(), s["parameter"].get<std::string>(),
                         s["description"].get<std::string>(), fmt::join(pts, ", "));
    }
  }
  return out;
}

}  // namespace hwsim::proposals
