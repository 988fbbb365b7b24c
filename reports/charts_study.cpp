// Charts and tables of a study (`hwsim study`): the speed-up of each hardware
// proposal, where the time goes per kernel, how sensitive each gain is to the
// proposal's parameters, and the simulated kernels on the GPU's roofline.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "models/spec/error.hpp"
#include "reports/report_model.hpp"
#include "reports/roofline_chart.hpp"
#include "reports/vega_lite.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

// The configuration line every study caption ends with.
std::string config_line(const json& s) {
  const json& w = s["workload"];
  std::string routing = w.contains("routing") && w["routing"].is_string() ? w["routing"].get<std::string>() : "";
  return fmt::format("Config: {}, {} at {} tokens/GPU{}, model {}, {}.",
                     s.value("gpu_display_name", s["gpu"].get<std::string>()), w["name"].get<std::string>(),
                     w["tokens_per_gpu"].dump(), routing.empty() ? "" : ", " + routing + " routing",
                     s.value("model", "?"), build_of(s));
}

// "deepseek-v3-layer" -> "DeepSeek-V3"; other workloads keep their name.
std::string workload_display(const std::string& name) {
  if (name.rfind("deepseek-v3", 0) == 0) return "DeepSeek-V3";
  return name;
}

double kernel_total_us(const json& k) { return k["time_us"].get<double>() * k["count"].get<double>(); }

bool is_combined(const json& p) { return p["name"] == "combined"; }

// Proposals ordered by speed-up (largest first), the combined one last.
std::vector<const json*> ordered_proposals(const json& s) {
  std::vector<const json*> ps;
  for (const json& p : s["proposals"]) ps.push_back(&p);
  std::stable_sort(ps.begin(), ps.end(), [](const json* a, const json* b) {
    if (is_combined(*a) != is_combined(*b)) return !is_combined(*a);
    return (*a)["speedup"].get<double>() > (*b)["speedup"].get<double>();
  });
  return ps;
}

const json* best_proposal(const json& s) {
  const json* best = nullptr;
  for (const json& p : s["proposals"]) {
    if (is_combined(p)) continue;
    if (best == nullptr || p["speedup"].get<double>() > (*best)["speedup"].get<double>()) best = &p;
  }
  return best;
}

Chart speedup_chart(const json& s, const std::string& sfx) {
  const json* best = best_proposal(s);
  Table t{"speedup" + sfx,
          "Speed-up per proposal",
          "",
          {{"proposal", "proposal", ""},
           {"name", "id", ""},
           {"speedup", "speed-up", "×", 3},
           {"faster_pct", "faster per layer", "%", 1},
           {"total_us", "time per layer", "µs", 1},
           {"baseline_us", "baseline time per layer", "µs", 1},
           {"saved_us", "time saved", "µs", 1},
           {"hbm_saved_mb", "HBM traffic saved", "MB", 1},
           {"group", "group", ""},
           {"label", "label", ""}}};
  std::vector<std::string> order;
  const double base = s["baseline"]["total_us"];
  for (const json* p : ordered_proposals(s)) {
    const double sp = (*p)["speedup"];
    const double tot = (*p)["total_us"];
    std::string group =
        is_combined(*p) ? "all proposals together" : (p == best ? "largest single gain" : "single proposal");
    t.rows.push_back({{"proposal", (*p)["title"]},
                      {"name", (*p)["name"]},
                      {"speedup", sp},
                      {"faster_pct", (sp - 1) * 100},
                      {"total_us", tot},
                      {"baseline_us", base},
                      {"saved_us", base - tot},
                      {"hbm_saved_mb", p->value("hbm_bytes_saved", 0.0) / 1e6},
                      {"group", group},
                      {"label", fmt::format("{:.2f}× ({:+.1f}%)", sp, (sp - 1) * 100)}});
    order.push_back((*p)["title"]);
  }
  Chart c{"chart-speedup" + sfx, "Speed-up of one layer per hardware proposal", "", {}, {t}};
  c.caption =
      "Baseline time divided by the proposal's time for one layer (forward + backward); bars start at 1.0× "
      "(no gain). " +
      config_line(s);
  c.spec = speedup_bars_spec(c, t, order, "hardware proposal", "speed-up over the H800 baseline (×)",
                             {"largest single gain", "single proposal", "all proposals together"},
                             {"#d6604d", "#92c5de", "#4d4d4d"});
  return c;
}

// The kernels drawn in their own colour: the two that save the most in each
// proposal (up to 8), then the longest baseline kernels, 14 in all. The rest
// are summed as "all other kernels".
std::vector<std::string> highlighted_kernels(const json& s) {
  std::vector<std::string> out;
  auto add = [&](const std::string& n, size_t limit) {
    if (out.size() < limit && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  for (const json* p : ordered_proposals(s)) {
    if (is_combined(*p)) continue;
    int taken = 0;
    for (const json& tc : (*p)["top_contributors"]) {
      if (tc["saved_us"].get<double>() < 0.05 || taken++ == 2) continue;
      add(tc["name"], 8);
    }
  }
  std::vector<const json*> ks;
  for (const json& k : s["baseline"]["kernels"]) ks.push_back(&k);
  std::stable_sort(ks.begin(), ks.end(),
                   [](const json* a, const json* b) { return kernel_total_us(*a) > kernel_total_us(*b); });
  for (const json* k : ks) add((*k)["name"], 14);
  return out;
}

// Distinct colours for the highlighted kernels (Vega's tableau20 without its
// greys), and grey for "all other kernels", which is always last.
json kernel_palette(size_t n) {
  static const char* const colours[] = {"#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a",
                                        "#b79a20", "#f2cf5b", "#439894", "#83bcb6", "#e45756", "#ff9d98",
                                        "#d67195", "#fcbfd2", "#b279a2", "#d6a5c9", "#9e765f", "#d8b5a5"};
  json out = json::array();
  for (size_t i = 0; i + 1 < n; ++i) out.push_back(colours[i % std::size(colours)]);
  out.push_back("#c7c7c7");
  return out;
}

Chart breakdown_chart(const json& s, const std::string& sfx) {
  const std::vector<std::string> shown = highlighted_kernels(s);
  const std::string other = "all other kernels";
  Table t{"breakdown" + sfx,
          "Time per layer by kernel, baseline and each proposal",
          "",
          {{"configuration", "configuration", ""},
           {"kernel", "kernel", ""},
           {"time_us", "time per layer", "µs", 1},
           {"kernels", "kernels summed", "", 0}}};
  std::vector<std::string> configs{"baseline"};
  auto add_config = [&](const std::string& name, const json& kernels) {
    std::map<std::string, std::pair<double, int>> sums;
    for (const json& k : kernels) {
      const std::string n = k["name"];
      const bool own = std::find(shown.begin(), shown.end(), n) != shown.end();
      auto& [us, cnt] = sums[own ? n : other];
      us += kernel_total_us(k);
      ++cnt;
    }
    std::vector<std::string> order = shown;
    order.push_back(other);
    for (const std::string& n : order) {
      auto it = sums.find(n);
      if (it == sums.end()) continue;  // removed by this proposal
      t.rows.push_back(
          {{"configuration", name}, {"kernel", n}, {"time_us", it->second.first}, {"kernels", it->second.second}});
    }
  };
  add_config("baseline", s["baseline"]["kernels"]);
  for (const json* p : ordered_proposals(s)) {
    configs.push_back((*p)["title"]);
    add_config((*p)["title"], (*p)["kernels"]);
  }
  Chart c{"chart-breakdown" + sfx, "Where the time goes: baseline vs each proposal, stacked by kernel", "", {}, {t}};
  c.caption = fmt::format(
      "Time per layer (launch time × launches) of the kernels the proposals change most and the "
      "longest others; a segment missing from a bar is a kernel the proposal removes. {}",
      config_line(s));
  json spec = vl::base_spec(c.title, c.data);
  spec["data"] = vl::data_ref(t);
  spec["height"] = {{"step", 30}};
  std::vector<std::string> color_order = shown;
  color_order.push_back(other);
  json y = vl::nominal("configuration", "configuration", configs);
  y["axis"] = {{"labelLimit", 260}};
  spec["mark"] = {{"type", "bar"}, {"stroke", "white"}, {"strokeWidth", 0.5}};
  spec["encoding"] = {{"y", y},
                      {"x", vl::quantitative("time_us", "time per layer (µs)")},
                      {"color",
                       {{"field", "kernel"},
                        {"type", "nominal"},
                        {"title", "kernel"},
                        {"sort", color_order},
                        {"scale", {{"domain", color_order}, {"range", kernel_palette(color_order.size())}}},
                        {"legend", {{"orient", "right"}, {"labelLimit", 220}}}}},
                      {"order", {{"field", "kernel_rank"}, {"type", "quantitative"}}},
                      {"tooltip", vl::tooltip(t)}};
  // Stack in legend order so each kernel sits in the same place on every bar.
  json ranks = json::array();
  for (size_t i = 0; i < color_order.size(); ++i) ranks.push_back({{"kernel", color_order[i]}, {"kernel_rank", i}});
  spec["transform"] = {{{"lookup", "kernel"},
                        {"from", {{"data", {{"values", ranks}}}, {"key", "kernel"}, {"fields", {"kernel_rank"}}}}}};
  c.spec = spec;
  return c;
}

Chart kernels_chart(const json& s, const std::string& sfx) {
  const json* combined = nullptr;
  for (const json& p : s["proposals"]) {
    if (is_combined(p)) combined = &p;
  }
  const json* other = combined != nullptr ? combined : best_proposal(s);
  const std::string other_title = (*other)["title"];
  Table t{"kernels" + sfx,
          "Time per kernel of one layer",
          "",
          {{"kernel", "kernel", ""},
           {"phase", "phase", ""},
           {"kind", "kind", ""},
           {"configuration", "configuration", ""},
           {"time_us", "time per layer", "µs", 2},
           {"launch_us", "time per launch", "µs", 2},
           {"count", "launches", "", 0},
           {"change", "change", ""}}};
  std::vector<const json*> ks;
  for (const json& k : s["baseline"]["kernels"]) ks.push_back(&k);
  std::stable_sort(ks.begin(), ks.end(),
                   [](const json* a, const json* b) { return kernel_total_us(*a) > kernel_total_us(*b); });
  std::map<std::string, const json*> theirs;
  for (const json& k : (*other)["kernels"]) theirs[k["name"]] = &k;
  std::vector<std::string> order;
  for (const json* k : ks) {
    order.push_back((*k)["name"]);
    t.rows.push_back({{"kernel", (*k)["name"]},
                      {"phase", (*k)["phase"]},
                      {"kind", (*k)["kind"]},
                      {"configuration", "baseline"},
                      {"time_us", kernel_total_us(*k)},
                      {"launch_us", (*k)["time_us"]},
                      {"count", (*k)["count"]},
                      {"change", ""}});
    auto it = theirs.find((*k)["name"]);
    const json* pk = it == theirs.end() ? nullptr : it->second;
    t.rows.push_back({{"kernel", (*k)["name"]},
                      {"phase", (*k)["phase"]},
                      {"kind", (*k)["kind"]},
                      {"configuration", other_title},
                      {"time_us", pk ? kernel_total_us(*pk) : 0.0},
                      {"launch_us", pk ? (*pk)["time_us"].get<double>() : 0.0},
                      {"count", pk ? (*pk)["count"] : json(0)},
                      {"change", pk ? pk->value("change", "unchanged") : "removed"}});
  }
  // Kernels a proposal adds (a fused kernel replacing several).
  for (const json& k : (*other)["kernels"]) {
    if (std::find(order.begin(), order.end(), k["name"].get<std::string>()) != order.end()) continue;
    order.push_back(k["name"]);
    t.rows.push_back({{"kernel", k["name"]},
                      {"phase", k["phase"]},
                      {"kind", k["kind"]},
                      {"configuration", other_title},
                      {"time_us", kernel_total_us(k)},
                      {"launch_us", k["time_us"]},
                      {"count", k["count"]},
                      {"change", k.value("change", "added")}});
  }
  Chart c{"chart-kernels" + sfx, "Time per kernel of one layer: baseline vs " + other_title, "", {}, {t}};
  c.caption = fmt::format(
      "Each kernel's time per layer (launch time × launches), longest first; a missing {} bar "
      "means the kernel is removed. {}",
      other_title, config_line(s));
  json spec = vl::base_spec(c.title, c.data);
  spec["data"] = vl::data_ref(t);
  spec["height"] = {{"step", 9}};
  json y = vl::nominal("kernel", "kernel", order);
  y["axis"] = {{"labelLimit", 220}};
  spec["mark"] = {{"type", "bar"}};
  spec["encoding"] = {{"y", y},
                      {"yOffset", {{"field", "configuration"}, {"sort", {"baseline", other_title}}}},
                      {"x", vl::quantitative("time_us", "time per layer (µs)")},
                      {"color",
                       {{"field", "configuration"},
                        {"type", "nominal"},
                        {"title", "configuration"},
                        {"scale", {{"domain", {"baseline", other_title}}, {"range", {"#9e9e9e", "#d6604d"}}}},
                        {"legend", {{"orient", "top"}}}}},
                      {"tooltip", vl::tooltip(t)}};
  c.spec = spec;
  return c;
}

Chart sensitivity_chart(const json& s, const std::string& sfx) {
  return sensitivity_panels(
      ordered_proposals(s), {"total_us", "time per layer", "µs", 1}, "sensitivity" + sfx,
      "How each gain depends on the proposal's own parameters",
      "Speed-up of one layer as one parameter of a proposal varies, the others at their defaults; dashed line: "
      "no gain (1.0×). " +
          config_line(s));
}

Table contributors_table(const json& s, const std::string& sfx) {
  Table t{"contributors" + sfx,
          "Why: the kernels each proposal speeds up most",
          "",
          {{"proposal", "proposal", ""},
           {"kernel", "kernel", ""},
           {"change", "change", ""},
           {"saved_us", "time saved per layer", "µs", 1},
           {"share_pct", "share of the proposal's saving", "%", 0}}};
  const double base = s["baseline"]["total_us"];
  for (const json* p : ordered_proposals(s)) {
    const double saved_total = base - (*p)["total_us"].get<double>();
    int shown = 0;
    for (const json& tc : (*p)["top_contributors"]) {
      const double saved = tc["saved_us"];
      // The three largest savings per proposal; the study's kernel list has the rest.
      if (saved < 0.05 || shown++ == 3) continue;
      t.rows.push_back({{"proposal", (*p)["title"]},
                        {"kernel", tc["name"]},
                        {"change", tc.value("change", "")},
                        {"saved_us", saved},
                        {"share_pct", saved_total > 0 ? 100 * saved / saved_total : 0.0}});
    }
  }
  t.caption =
      "The three kernels behind each gain that save the most (from the study's top contributors). " + config_line(s);
  return t;
}

// Time per phase of the layer, from the study's per-phase sums.
Table phases_table(const json& s, const std::string& sfx) {
  Table t{"phases" + sfx,
          "Time per phase of one layer",
          "",
          {{"configuration", "configuration", ""},
           {"forward", "forward", "µs", 1},
           {"backward_input", "backward (input grad)", "µs", 1},
           {"backward_weight", "backward (weight grad)", "µs", 1},
           {"total_us", "layer", "µs", 1}}};
  auto row = [&](const std::string& name, const json& owner) {
    json r = {{"configuration", name}, {"total_us", owner["total_us"]}};
    for (const char* ph : {"forward", "backward_input", "backward_weight"}) {
      r[ph] = owner.contains("phases") && owner["phases"].contains(ph) ? owner["phases"][ph] : json(nullptr);
    }
    t.rows.push_back(r);
  };
  row("baseline", s["baseline"]);
  for (const json* p : ordered_proposals(s)) row((*p)["title"], *p);
  t.caption = "The study's sums of kernel time per phase (launch time × launches). " + config_line(s);
  return t;
}

Table proposals_table(const json& s, const std::string& sfx) {
  Table t{"proposals" + sfx,
          "What each proposal changes",
          "",
          {{"proposal", "proposal", ""}, {"mechanism", "mechanism", ""}, {"speedup", "speed-up", "×", 3}}};
  for (const json* p : ordered_proposals(s)) {
    t.rows.push_back({{"proposal", (*p)["title"]}, {"mechanism", (*p)["summary"]}, {"speedup", (*p)["speedup"]}});
  }
  t.caption = "One line per proposal, as the study describes its mechanism. " + config_line(s);
  return t;
}

}  // namespace

std::string gpu_short_name(const json& s) {
  std::string d = s.value("gpu_display_name", s["gpu"].get<std::string>());
  if (d.rfind("NVIDIA ", 0) == 0) d = d.substr(7);
  return d.substr(0, d.find(' '));
}

json speedup_bars_spec(const Chart& c, const Table& t, const std::vector<std::string>& order,
                       const std::string& y_title, const std::string& x_title, const std::vector<std::string>& groups,
                       const std::vector<std::string>& colours) {
  json spec = vl::base_spec(c.title, c.data);
  spec["data"] = vl::data_ref(t);
  spec["height"] = {{"step", 34}};
  json y = vl::nominal("proposal", y_title, order);
  y["axis"] = {{"labelLimit", 260}, {"labelFontSize", 12}};
  json x = vl::quantitative("speedup", x_title);
  // Bars start at 1.0x; a proposal that slows things down extends left of
  // it, so the axis starts below the smallest speed-up.
  double min_speedup = 1.0;
  for (const auto& r : t.rows) min_speedup = std::min(min_speedup, r["speedup"].get<double>());
  x["scale"] = {{"zero", false}, {"domainMin", min_speedup < 1.0 ? std::floor(min_speedup * 50) / 50 : 1.0}};
  x["axis"] = {{"format", ".2f"}};
  json color = {{"field", "group"},
                {"type", "nominal"},
                {"title", nullptr},
                {"scale", {{"domain", groups}, {"range", colours}}},
                {"legend", {{"orient", "bottom"}}}};
  spec["layer"] = {
      {{"mark", {{"type", "bar"}, {"cornerRadiusEnd", 2}}},
       {"encoding", {{"y", y}, {"x", x}, {"x2", {{"datum", 1}}}, {"color", color}, {"tooltip", vl::tooltip(t)}}}},
      {{"mark", {{"type", "text"}, {"align", "left"}, {"dx", 4}, {"fontSize", 12}}},
       {"encoding", {{"y", y}, {"x", x}, {"text", {{"field", "label"}}}}}},
      {{"mark", {{"type", "rule"}, {"color", "#333"}}}, {"encoding", {{"x", {{"datum", 1}}}}}}};
  return spec;
}

Chart sensitivity_panels(const std::vector<const json*>& proposals, const Column& time_column, const std::string& id,
                         const std::string& title, const std::string& caption) {
  Table t{id,
          "Sensitivity of each proposal to its parameters",
          "",
          {{"proposal", "proposal", ""},
           {"parameter", "parameter", ""},
           {"unit", "unit", ""},
           {"value", "value", "", 4},
           {"speedup", "speed-up", "×", 3},
           time_column}};
  json panels = json::array();
  for (const json* p : proposals) {
    const std::string ptitle = (*p)["title"];
    for (const json& sens : (*p)["sensitivity"]) {
      const std::string param = sens["parameter"];
      const std::string unit = sens["unit"];
      for (const json& pt : sens["points"]) {
        t.rows.push_back({{"proposal", ptitle},
                          {"parameter", param},
                          {"unit", unit},
                          {"value", pt["value"]},
                          {"speedup", pt["speedup"]},
                          {time_column.key, pt[time_column.key]}});
      }
      json x = vl::quantitative("value", fmt::format("{} ({})", param, unit));
      x["scale"] = {{"zero", false}};
      json y = vl::quantitative("speedup", "speed-up (×)");
      y["scale"] = {{"zero", false}};
      y["axis"] = {{"format", ".2f"}};
      const json filter = {
          {"filter",
           {{"and", {{{"field", "proposal"}, {"equal", ptitle}}, {{"field", "parameter"}, {"equal", param}}}}}}};
      panels.push_back({{"title", {{"text", ptitle}, {"subtitle", sens.value("description", param)}, {"fontSize", 12}}},
                        {"width", 250},
                        {"height", 150},
                        {"layer",
                         {{{"mark", {{"type", "rule"}, {"color", "#999"}, {"strokeDash", {3, 3}}}},
                           {"encoding", {{"y", {{"datum", 1}}}}}},
                          {{"transform", {filter}},
                           {"mark", {{"type", "line"}, {"point", {{"color", "#d6604d"}}}, {"color", "#d6604d"}}},
                           {"encoding", {{"x", x}, {"y", y}, {"tooltip", vl::tooltip(t)}}}}}}});
    }
  }
  Chart c{"chart-" + id, title, caption, {}, {t}};
  json spec = vl::base_spec(c.title, c.data);
  spec.erase("width");
  spec["data"] = vl::data_ref(t);
  spec["columns"] = 3;
  spec["concat"] = panels;
  c.spec = spec;
  return c;
}

StudySummary summarise_study(const json& s) {
  // A study of communication proposals only is summarised by its step.
  const StudySummary step = summarise_step(s);
  if (s["proposals"].empty()) return step;
  const json* best = best_proposal(s);
  const json& w = s["workload"];
  StudySummary out;
  const std::string where = fmt::format("On {} ({} tokens/GPU, {})", workload_display(w["name"]),
                                        w["tokens_per_gpu"].dump(), gpu_short_name(s));
  if (best == nullptr) {
    out.headline = where + ", the study holds only the combined proposal.";
    if (!step.headline.empty()) out.why = step.headline;
    return out;
  }
  const double sp = (*best)["speedup"];
  const double base = s["baseline"]["total_us"];
  const double saved = base - (*best)["total_us"].get<double>();
  std::string from;
  const json& tcs = (*best)["top_contributors"];
  // Name the largest savings until they explain half the gain (at most 3);
  // kernels that saved (almost) nothing or got slower explain nothing.
  std::vector<std::string> names;
  double explained = 0;
  for (size_t i = 0; i < tcs.size() && names.size() < 3 && explained < 0.5 * saved; ++i) {
    const double us = tcs[i]["saved_us"];
    if (us < 0.05) continue;
    explained += us;
    names.push_back(
        fmt::format("{} ({}, {:.1f} µs)", tcs[i]["name"].get<std::string>(), tcs[i].value("change", "changed"), us));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    from += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  if (!from.empty() && saved > 0) {
    from = fmt::format("{} {} ({:.0f}% of the saving)", explained >= 0.5 * saved ? "mostly from" : "led by", from,
                       100 * explained / saved);
  }
  if (sp <= 1.0) {
    out.headline = fmt::format(
        "{}, no single proposal makes a layer faster: the best, {}, changes it by {:+.1f}% "
        "({:.3f}×).",
        where, (*best)["title"].get<std::string>(), (sp - 1) * 100, sp);
  } else {
    out.headline = fmt::format("{}, {} buys the most: {:.1f}% faster per layer ({:.3f}×, {:.0f} of {:.0f} µs saved){}.",
                               where, (*best)["title"].get<std::string>(), (sp - 1) * 100, sp, saved, base,
                               from.empty() ? "" : ", " + from);
  }
  out.why = (*best)["summary"].get<std::string>();
  if (!out.why.empty() && out.why.back() != '.') out.why += '.';
  for (const json& p : s["proposals"]) {
    if (!is_combined(p)) continue;
    out.why += fmt::format(" All {} proposals together: {:.1f}% faster ({:.3f}×).", s["proposals"].size() - 1,
                           (p["speedup"].get<double>() - 1) * 100, p["speedup"].get<double>());
  }
  if (!step.headline.empty()) out.why += " " + step.headline;
  return out;
}

std::vector<Section> study_sections(const ResultFile& study, std::span<const ResultFile> kernels,
                                    const std::string& sfx) {
  const json& s = study.doc;
  std::vector<Section> out;
  const auto roofline = [&](std::string title, std::string intro) {
    Section roof{"roofline" + sfx, std::move(title), std::move(intro), {}, {}};
    roof.charts.push_back(study_roofline_chart(study, kernels, sfx, config_line(s)));
    return roof;
  };
  if (s["proposals"].empty()) {
    // Communication proposals only: the step's section, then the baseline
    // layer's kernels (the step's MoE blocks) on the roofline.
    out = step_sections(s, sfx);
    out.push_back(roofline("The baseline layer's kernels on the roofline",
                           "Each kernel of the baseline MoE layer (one block of the step) placed by its arithmetic "
                           "intensity and achieved throughput; the ceilings are computed from the GPU description."));
    return out;
  }
  Section main{"proposals" + sfx, "Which proposal buys the most", "", {}, {}};
  main.charts.push_back(speedup_chart(s, sfx));
  main.tables.push_back(contributors_table(s, sfx));
  main.tables.push_back(proposals_table(s, sfx));
  out.push_back(std::move(main));

  Section where{"time" + sfx, "Where the time goes", "", {}, {}};
  where.intro =
      "Per-kernel time of one layer (forward, backward-input and backward-weight kernels), in the baseline "
      "and with each proposal. Kernel times are per launch multiplied by launches.";
  where.charts.push_back(breakdown_chart(s, sfx));
  where.charts.push_back(kernels_chart(s, sfx));
  where.tables.push_back(phases_table(s, sfx));
  out.push_back(std::move(where));

  Section sens{"sensitivity" + sfx, "How robust each gain is", "", {}, {}};
  sens.intro =
      "Each proposal's gain as its own parameters vary: a flat line means the gain does not hinge on the "
      "exact hardware figure assumed.";
  bool any = false;
  for (const json& p : s["proposals"]) any = any || !p["sensitivity"].empty();
  if (any) {
    sens.charts.push_back(sensitivity_chart(s, sfx));
    out.push_back(std::move(sens));
  }
  for (auto& sec : step_sections(s, sfx)) out.push_back(std::move(sec));

  out.push_back(roofline("The kernels on the roofline",
                         "Each baseline kernel placed by its arithmetic intensity (FLOPs per HBM byte) and achieved "
                         "throughput; the ceilings are computed from the GPU description."));
  return out;
}

}  // namespace hwsim::reports
