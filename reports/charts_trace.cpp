// The report's section for `hwsim trace predict` (issue 23, docs/traces.md):
// the user's own kernels predicted against measured (one point per distinct
// hwsim kernel), GPU time by category measured and predicted, the
// iterations, the unmapped share, and, for a what-if (--gpu, --set,
// --proposal), the predicted speed-up of each category.
#include <fmt/format.h>

#include <algorithm>

#include "reports/report_model.hpp"
#include "reports/vega_lite.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

Chart trace_scatter(const json& d, const std::string& id) {
  Table pts{id + "-points",
            "Trace kernels, predicted vs measured",
            "",
            {{"kernel", "hwsim kernel", ""},
             {"params", "params", ""},
             {"op", "aten op", ""},
             {"class", "category", ""},
             {"gpu_ops", "launches", "", 0},
             {"measured_us", "measured (median)", "µs", 2},
             {"predicted_us", "predicted", "µs", 2}}};
  double lo = 0, hi = 0;
  for (const json& k : d["kernel_classes"]) {
    const double m = k["measured_us"], p = k["predicted_us"];
    pts.rows.push_back({{"kernel", k["kernel"]},
                        {"params", k["params"]},
                        {"op", k["op"]},
                        {"class", k["category"]},
                        {"gpu_ops", k["gpu_ops"]},
                        {"measured_us", m},
                        {"predicted_us", p}});
    const double a = std::min(m, p), b = std::max(m, p);
    if (a > 0) lo = lo == 0 ? a : std::min(lo, a);
    hi = std::max(hi, b);
  }
  lo = lo > 0 ? lo / 1.5 : 0.1;
  hi = hi > lo ? hi * 1.5 : lo * 10;
  Chart c{"chart-" + id,
          fmt::format("Your kernels on {}: predicted vs measured", d["gpu"].get<std::string>()),
          "",
          {},
          {pts}};
  c.caption = fmt::format(
      "One point per distinct hwsim kernel of the trace (its launches' median measured time), log-log; the "
      "dashed line is equality. Median |error| over {} mapped launches: {:.1f}%.",
      d["per_kernel"].value("kernels", 0), 100 * d["per_kernel"].value("median_abs_error", 0.0));
  json spec = vl::base_spec(c.title, c.data, 460);
  spec["height"] = 420;
  json x = vl::quantitative("measured_us", "measured time (µs)", true);
  json y = vl::quantitative("predicted_us", "predicted time (µs)", true);
  x["scale"]["domain"] = y["scale"]["domain"] = {lo, hi};
  spec["layer"] = {
      {{"data", {{"values", {{{"v", lo}}, {{"v", hi}}}}}},
       {"mark", {{"type", "line"}, {"color", "#333"}, {"strokeDash", {4, 3}}}},
       {"encoding",
        {{"x", {{"field", "v"}, {"type", "quantitative"}, {"scale", x["scale"]}}},
         {"y", {{"field", "v"}, {"type", "quantitative"}, {"scale", y["scale"]}}}}}},
      {{"data", vl::data_ref(pts)},
       {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
       {"encoding",
        {{"x", x},
         {"y", y},
         {"color",
          {{"field", "class"}, {"type", "nominal"}, {"title", "category"}, {"scale", {{"scheme", "tableau20"}}}}},
         {"tooltip", vl::tooltip(pts)}}}}};
  c.spec = spec;
  return c;
}

Table category_table(const json& d, const std::string& id) {
  const bool whatif = d.contains("baseline_gpu");
  Table t{id,
          "GPU time by category",
          "",
          {{"category", "category", ""}, {"gpu_ops", "GPU ops", "", 0}, {"measured_us", "measured", "µs", 1}}};
  if (whatif) t.columns.push_back({"baseline_us", "predicted on " + d["baseline_gpu"].get<std::string>(), "µs", 1});
  t.columns.push_back({"predicted_us", "predicted on " + d["gpu"].get<std::string>(), "µs", 1});
  if (whatif) t.columns.push_back({"speedup", "speed-up", "×", 3});
  t.columns.push_back({"median_abs_error_pct", "median |error|", "%", 1});
  for (const auto& [cat, c] : d["categories"].items()) {
    json row = {{"category", cat},
                {"gpu_ops", c["gpu_ops"]},
                {"measured_us", c["measured_us"]},
                {"predicted_us", c["predicted_us"]},
                {"median_abs_error_pct", 100 * c.value("median_abs_error", 0.0)}};
    if (whatif) row.update({{"baseline_us", c.value("baseline_us", 0.0)}, {"speedup", c.value("speedup", 0.0)}});
    t.rows.push_back(row);
  }
  return t;
}

Chart category_chart(const json& d, const std::string& id) {
  Table t{id,
          "GPU time by category",
          "",
          {{"category", "category", ""}, {"source", "timeline", ""}, {"time_us", "GPU time", "µs", 1}}};
  for (const auto& [cat, c] : d["categories"].items()) {
    t.rows.push_back({{"category", cat}, {"source", "measured"}, {"time_us", c["measured_us"]}});
    t.rows.push_back({{"category", cat}, {"source", "predicted"}, {"time_us", c["predicted_us"]}});
  }
  Chart c{"chart-" + id, "GPU time by category, measured and predicted", "", {}, {t}};
  c.caption = fmt::format(
      "Sum of the GPU ops' durations per category; unmapped ops keep their measured time "
      "({:.1f}% of the measured GPU time is unmapped).",
      100 * d.value("unmapped_share", 0.0));
  json spec = vl::base_spec(c.title, c.data);
  spec["data"] = vl::data_ref(t);
  spec["mark"] = {{"type", "bar"}};
  spec["encoding"] = {{"y", vl::nominal("category", "category")},
                      {"yOffset", {{"field", "source"}}},
                      {"x", vl::quantitative("time_us", "GPU time (µs)")},
                      {"color", {{"field", "source"}, {"type", "nominal"}, {"title", nullptr}}},
                      {"tooltip", vl::tooltip(t)}};
  c.spec = spec;
  return c;
}

Chart trace_speedup_chart(const json& d, const std::string& id) {
  Table t{
      id,
      "Predicted speed-up per category",
      "",
      {{"proposal", "category", ""}, {"speedup", "speed-up", "×", 3}, {"group", "group", ""}, {"label", "label", ""}}};
  std::vector<std::string> order;
  for (const auto& [cat, c] : d["categories"].items()) {
    const double s = c.value("speedup", 0.0);
    t.rows.push_back({{"proposal", cat}, {"speedup", s}, {"group", "category"}, {"label", fmt::format("{:.3f}×", s)}});
    order.push_back(cat);
  }
  t.rows.push_back({{"proposal", "whole run"},
                    {"speedup", d.value("speedup", 0.0)},
                    {"group", "whole run"},
                    {"label", fmt::format("{:.3f}×", d.value("speedup", 0.0))}});
  order.push_back("whole run");
  Chart c{"chart-" + id,
          fmt::format("Your workload on {} vs {}", d["gpu"].get<std::string>(), d["baseline_gpu"].get<std::string>()),
          "",
          {},
          {t}};
  c.caption = "Predicted speed-up of each category's GPU time and of the rebuilt run (both sides predicted).";
  c.spec =
      speedup_bars_spec(c, t, order, "category", "speed-up (×)", {"category", "whole run"}, {"#4c78a8", "#f58518"});
  return c;
}

Table iteration_table(const json& d, const std::string& id) {
  Table t{id,
          "Iterations",
          "",
          {{"name", "iteration", ""},
           {"gpu_ops", "GPU ops", "", 0},
           {"measured_us", "measured", "µs", 1},
           {"predicted_us", "predicted", "µs", 1},
           {"error_pct", "error", "%", 1}}};
  for (const json& it : d["iterations"]) {
    t.rows.push_back({{"name", it["name"]},
                      {"gpu_ops", it["gpu_ops"]},
                      {"measured_us", it["measured_us"]},
                      {"predicted_us", it["predicted_us"]},
                      {"error_pct", 100 * it.value("error", 0.0)}});
  }
  return t;
}

Table unmapped_table(const json& d, const std::string& id) {
  Table t{id,
          "Unmapped kernels (they keep their measured time)",
          "",
          {{"op", "op", ""},
           {"reason", "reason", ""},
           {"gpu_ops", "GPU ops", "", 0},
           {"measured_us", "measured", "µs", 1},
           {"share_pct", "share of GPU time", "%", 2}}};
  for (const json& u : d["unmapped"]) {
    if (t.rows.size() >= 15) break;
    t.rows.push_back({{"op", u["op"]},
                      {"reason", u["reason"]},
                      {"gpu_ops", u["gpu_ops"]},
                      {"measured_us", u["measured_us"]},
                      {"share_pct", 100 * u.value("share", 0.0)}});
  }
  return t;
}

}  // namespace

std::vector<Section> trace_sections(const ResultFile& f, const std::string& sfx) {
  const json& d = f.doc;
  Section s{"trace" + sfx, "Your workload: a PyTorch trace predicted kernel by kernel", "", {}, {}};
  s.intro = fmt::format(
      "{} ({} GPU ops, {} distinct kernels simulated) predicted on {} with mapping table '{}': measured {:.1f} µs, "
      "predicted {:.1f} µs over {} iteration(s); {:.1f}% of the GPU time is unmapped.",
      d.value("trace", "?"), d.value("gpu_ops", 0), d.value("distinct_kernels_simulated", 0),
      d["gpu"].get<std::string>(), d.value("mapping_version", "?"), d["measured_total_us"].get<double>(),
      d["predicted_total_us"].get<double>(), d["iterations"].size(), 100 * d.value("unmapped_share", 0.0));
  if (!d["kernel_classes"].empty()) s.charts.push_back(trace_scatter(d, "trace-kernels" + sfx));
  s.charts.push_back(category_chart(d, "trace-categories" + sfx));
  if (d.contains("baseline_gpu")) s.charts.push_back(trace_speedup_chart(d, "trace-speedup" + sfx));
  s.tables.push_back(category_table(d, "trace-category-table" + sfx));
  s.tables.push_back(iteration_table(d, "trace-iterations" + sfx));
  s.tables.push_back(unmapped_table(d, "trace-unmapped" + sfx));
  return {s};
}

}  // namespace hwsim::reports
