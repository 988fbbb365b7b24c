// Charts and tables of the step-level part of a study (`hwsim study` with
// communication proposals, its "step" object): the speed-up of one training
// step per communication proposal, what each does to the step (SMs held, the
// overlapped steady state, the all-to-all's time), and how each gain depends
// on the proposal's parameters.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "reports/report_model.hpp"
#include "reports/vega_lite.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

bool has_step(const json& s) { return s.contains("step") && !s["step"]["proposals"].empty(); }

// The configuration line every step caption ends with.
std::string step_config_line(const json& s) {
  const json& w = s["step"]["workload"];
  const std::string routing = w.contains("routing") && w["routing"].is_string() ? w["routing"].get<std::string>() : "";
  return fmt::format("Config: {}, {} on {} GPUs (PP{}, EP{}) at {} tokens/GPU{}, model {}, {}.",
                     s.value("gpu_display_name", s["gpu"].get<std::string>()), w["name"].get<std::string>(),
                     w["gpus"].dump(), w["pp"].dump(), w["ep"].dump(), w["tokens_per_gpu"].dump(),
                     routing.empty() ? "" : ", " + routing + " routing", s.value("model", "?"), build_of(s));
}

// Step-level proposals by speed-up, largest first.
std::vector<const json*> ordered_step_proposals(const json& s) {
  std::vector<const json*> ps;
  for (const json& p : s["step"]["proposals"]) ps.push_back(&p);
  std::stable_sort(ps.begin(), ps.end(), [](const json* a, const json* b) {
    return (*a)["speedup"].get<double>() > (*b)["speedup"].get<double>();
  });
  return ps;
}

Chart step_speedup_chart(const json& s, const std::string& sfx) {
  const json& base = s["step"]["baseline"];
  const double base_s = base["step_s"];
  Table t{"step-speedup" + sfx,
          "Speed-up of the training step per communication proposal",
          "",
          {{"proposal", "proposal", ""},
           {"name", "id", ""},
           {"speedup", "speed-up", "×", 3},
           {"faster_pct", "faster per step", "%", 1},
           {"step_s", "time per step", "s", 3},
           {"baseline_s", "baseline time per step", "s", 3},
           {"saved_s", "time saved", "s", 3},
           {"comm_sms", "SMs held by the all-to-all", "", 0},
           {"group", "group", ""},
           {"label", "label", ""}}};
  std::vector<std::string> order;
  const auto ps = ordered_step_proposals(s);
  for (const json* p : ps) {
    const double sp = (*p)["speedup"];
    t.rows.push_back({{"proposal", (*p)["title"]},
                      {"name", (*p)["name"]},
                      {"speedup", sp},
                      {"faster_pct", (sp - 1) * 100},
                      {"step_s", (*p)["step_s"]},
                      {"baseline_s", base_s},
                      {"saved_s", base_s - (*p)["step_s"].get<double>()},
                      {"comm_sms", (*p)["comm_sms"]},
                      {"group", p == ps.front() ? "largest gain" : "communication proposal"},
                      {"label", fmt::format("{:.3f}× ({:+.1f}%)", sp, (sp - 1) * 100)}});
    order.push_back((*p)["title"]);
  }
  Chart c{"chart-step-speedup" + sfx, "Speed-up of one training step per communication proposal", "", {}, {t}};
  c.caption = fmt::format(
      "Baseline step time (DeepEP on {} SMs) divided by the step time with the proposal's all-to-all; bars start "
      "at 1.0× (no gain). {}",
      base["comm_sms"].dump(), step_config_line(s));
  c.spec = speedup_bars_spec(c, t, order, "communication proposal",
                             fmt::format("speed-up of the step over the {} baseline (×)", gpu_short_name(s)),
                             {"largest gain", "communication proposal"}, {"#d6604d", "#92c5de"});
  return c;
}

// The step with each communication model: where the gain comes from.
Table step_table(const json& s, const std::string& sfx) {
  Table t{"step" + sfx,
          "The training step with each communication model",
          "",
          {{"configuration", "configuration", ""},
           {"comm_model", "communication model", ""},
           {"comm_sms", "SMs held", "", 0},
           {"step_s", "step", "s", 3},
           {"speedup", "speed-up", "×", 3},
           {"f_and_b_s", "1F1B (rank 0)", "s", 3},
           {"bubble_s", "bubble (rank 0)", "s", 3},
           {"dispatch_us", "dispatch per layer", "µs", 0},
           {"combine_us", "combine per layer", "µs", 0},
           {"mechanism", "mechanism", ""}}};
  auto row = [&](const std::string& name, const json& r, double speedup, const std::string& mechanism) {
    t.rows.push_back({{"configuration", name},
                      {"comm_model", r.value("comm_model", "")},
                      {"comm_sms", r["comm_sms"]},
                      {"step_s", r["step_s"]},
                      {"speedup", speedup},
                      {"f_and_b_s", r["f_and_b_s"]},
                      {"bubble_s", r.value("bubble_s", json(nullptr))},
                      {"dispatch_us", r["dispatch_us"]},
                      {"combine_us", r["combine_us"]},
                      {"mechanism", mechanism}});
  };
  row("baseline", s["step"]["baseline"], 1.0, "DeepEP's kernels forward, copy and reduce on SMs");
  for (const json* p : ordered_step_proposals(s)) {
    row((*p)["title"], *p, (*p)["speedup"], (*p)["summary"]);
  }
  t.caption =
      "Step time and the rank-0 breakdown the proposals change: the overlapped forward-and-backward steady state "
      "(1F1B), where compute runs beside the all-to-all on the SMs it leaves free, and the bubble. " +
      step_config_line(s);
  return t;
}

}  // namespace

StudySummary summarise_step(const json& s) {
  StudySummary out;
  if (!has_step(s)) return out;
  const json& w = s["step"]["workload"];
  const json& base = s["step"]["baseline"];
  const json* best = ordered_step_proposals(s).front();
  const double sp = (*best)["speedup"];
  const double base_s = base["step_s"];
  const std::string where = fmt::format("On the DeepSeek-V3 training step ({} GPUs, {} tokens/GPU, {})",
                                        w["gpus"].dump(), w["tokens_per_gpu"].dump(), gpu_short_name(s));
  if (sp <= 1.0) {
    out.headline = fmt::format(
        "{}, no communication proposal makes the step faster: the best, {}, changes it by "
        "{:+.1f}% ({:.3f}×).",
        where, (*best)["title"].get<std::string>(), (sp - 1) * 100, sp);
  } else {
    out.headline = fmt::format(
        "{}, {} buys the most: {:.1f}% faster per step ({:.3f}×, {:.2f} of {:.2f} s saved), with {} SMs held by "
        "the all-to-all instead of {}.",
        where, (*best)["title"].get<std::string>(), (sp - 1) * 100, sp, base_s - (*best)["step_s"].get<double>(),
        base_s, (*best)["comm_sms"].dump(), base["comm_sms"].dump());
  }
  out.why = (*best)["summary"].get<std::string>();
  if (!out.why.empty() && out.why.back() != '.') out.why += '.';
  return out;
}

std::vector<Section> step_sections(const json& s, const std::string& sfx) {
  std::vector<Section> out;
  if (!has_step(s)) return out;
  Section sec{"step" + sfx, "Communication proposals on the training step", "", {}, {}};
  sec.intro =
      "One DeepSeek-V3 training step (DualPipe, EP all-to-all, ZeRO-1 optimizer) with DeepEP's all-to-all on SMs "
      "(the baseline) and with each communication proposal's, all else equal. The proposals move the same bytes "
      "over the same links; they gain by returning the SMs the all-to-all holds to the compute it overlaps with, "
      "which only the whole step shows, so their metric is the step time, not a layer's.";
  sec.charts.push_back(step_speedup_chart(s, sfx));
  bool any = false;
  for (const json& p : s["step"]["proposals"]) any = any || !p["sensitivity"].empty();
  if (any) {
    sec.charts.push_back(sensitivity_panels(
        ordered_step_proposals(s), {"step_s", "time per step", "s", 3}, "step-sensitivity" + sfx,
        "How each step gain depends on the proposal's own parameters",
        "Speed-up of one training step as one parameter of a communication proposal varies, the others at their "
        "defaults; dashed line: no gain (1.0×). " +
            step_config_line(s)));
  }
  sec.tables.push_back(step_table(s, sfx));
  out.push_back(std::move(sec));
  return out;
}

}  // namespace hwsim::reports
