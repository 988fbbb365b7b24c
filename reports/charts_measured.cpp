// Charts and tables of measured data: the validation of predicted against
// measured kernel times (`hwsim validate --out`) and the numerics error of the
// FP8 accumulator models against K (`hwsim numerics error`).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "reports/report_model.hpp"
#include "reports/vega_lite.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

std::string safe_id(std::string s) {
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '-';
  }
  return s;
}

// One point per record (or kernel shape), coloured by kernel class, with
// every field of the table in its tooltip: the top layer of the scatters.
json class_points_layer(const Table& pts, const json& x, const json& y) {
  return {
      {"data", vl::data_ref(pts)},
      {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
      {"encoding",
       {{"x", x},
        {"y", y},
        {"color",
         {{"field", "class"}, {"type", "nominal"}, {"title", "kernel class"}, {"scale", {{"scheme", "tableau20"}}}}},
        {"tooltip", vl::tooltip(pts)}}}};
}

Chart validation_scatter(const json& g, const std::string& model, const std::string& id, const std::string& build) {
  const std::string gpu = g["gpu"];
  Table pts{id + "-points",
            "Validation points",
            "",
            {{"id", "record", ""},
             {"class", "kernel class", ""},
             {"measured_us", "measured", "µs", 2},
             {"predicted_us", "predicted", "µs", 2},
             {"error_pct", "error (predicted − measured)/measured", "%", 1},
             {"sm_clock_mhz", "SM clock during measurement", "MHz", 0}}};
  double lo = 0, hi = 0;
  for (const json& p : g["points"]) {
    const double m = p["measured_us"], pr = p["predicted_us"];
    pts.rows.push_back({{"id", p["id"]},
                        {"class", p["class"]},
                        {"measured_us", m},
                        {"predicted_us", pr},
                        {"error_pct", m > 0 ? 100 * (pr - m) / m : 0.0},
                        {"sm_clock_mhz", p.value("sm_clock_mhz", 0.0)}});
    const double a = std::min(m, pr), b = std::max(m, pr);
    if (a > 0) lo = lo == 0 ? a : std::min(lo, a);
    hi = std::max(hi, b);
  }
  if (lo <= 0) lo = 1;
  if (hi <= lo) hi = lo * 10;
  lo /= 1.5;
  hi *= 1.5;
  Table bands{id + "-bands",
              "Error bands",
              "",
              {{"measured_us", "measured", "µs", 3},
               {"lo20", "−20%", "µs", 3},
               {"hi20", "+20%", "µs", 3},
               {"lo10", "−10%", "µs", 3},
               {"hi10", "+10%", "µs", 3}}};
  for (double x : {lo, hi}) {
    bands.rows.push_back(
        {{"measured_us", x}, {"lo20", 0.8 * x}, {"hi20", 1.2 * x}, {"lo10", 0.9 * x}, {"hi10", 1.1 * x}});
  }
  Chart c{"chart-" + id, fmt::format("Predicted vs measured kernel time on {}", gpu), "", {}, {pts, bands}};
  const json& o = g["overall"];
  c.caption = fmt::format(
      "Each validation record's predicted time against its measured median, log-log; the shaded "
      "bands are ±10% and ±20%. Config: model {}, GPU {}, {} records, median |error| {:.1f}%, {}.",
      model, gpu, o.value("count", 0), o.value("median_abs_pct", 0.0), build);
  json spec = vl::base_spec(c.title, c.data, 460);
  spec["height"] = 420;
  json x = vl::quantitative("measured_us", "measured time (µs)", true);
  x["scale"]["domain"] = {lo, hi};
  json y20 = vl::quantitative("lo20", "predicted time (µs)", true);
  y20["scale"]["domain"] = {lo, hi};
  json y10 = y20;
  y10["field"] = "lo10";
  json yp = vl::quantitative("predicted_us", "predicted time (µs)", true);
  yp["scale"]["domain"] = {lo, hi};
  spec["layer"] = {{{"data", vl::data_ref(bands)},
                    {"mark", {{"type", "area"}, {"color", "#fdd49e"}, {"opacity", 0.6}}},
                    {"encoding", {{"x", x}, {"y", y20}, {"y2", {{"field", "hi20"}}}}}},
                   {{"data", vl::data_ref(bands)},
                    {"mark", {{"type", "area"}, {"color", "#fc8d59"}, {"opacity", 0.45}}},
                    {"encoding", {{"x", x}, {"y", y10}, {"y2", {{"field", "hi10"}}}}}},
                   {{"data", vl::data_ref(bands)},
                    {"mark", {{"type", "line"}, {"color", "#333"}, {"strokeDash", {4, 3}}}},
                    {"encoding",
                     {{"x", x},
                      {"y",
                       [&] {
                         json e = y20;
                         e["field"] = "measured_us";
                         return e;
                       }()}}}},
                   class_points_layer(pts, x, yp)};
  c.spec = spec;
  return c;
}

Table class_table(const json& g, const std::string& id) {
  Table t{id,
          fmt::format("Prediction error per kernel class on {}", g["gpu"].get<std::string>()),
          "",
          {{"class", "class", ""},
           {"count", "records", "", 0},
           {"median_abs_pct", "median |error|", "%", 1},
           {"mean_abs_pct", "mean |error|", "%", 1},
           {"max_abs_pct", "max |error|", "%", 1},
           {"median_signed_pct", "median error", "%", 1},
           {"pearson_r", "Pearson r", "", 3},
           {"within_10pct", "within 10%", "", 0},
           {"within_20pct", "within 20%", "", 0}}};
  auto row = [&](const std::string& name, const json& s) {
    json r = {{"class", name}};
    for (const Column& c : t.columns) {
      if (c.key != "class") r[c.key] = s.value(c.key, 0.0);
    }
    t.rows.push_back(r);
  };
  for (const auto& [name, s] : g["classes"].items()) row(name, s);
  row("overall", g["overall"]);
  t.caption =
      "Error e = (predicted − measured) / measured on validation records only (never used to set a "
      "parameter); e > 0 means the model is slower than the GPU.";
  return t;
}

Table whatif_table(const json& w, const std::string& id) {
  Table t{id,
          fmt::format("What-if: speed-up from {} to {}, measured vs predicted", w.value("base", "?"),
                      w.value("target", "?")),
          "",
          {{"class", "class", ""},
           {"count", "kernel shapes", "", 0},
           {"measured_speedup", "measured speed-up", "×", 3},
           {"predicted_speedup", "predicted speed-up", "×", 3},
           {"error_pct", "error", "%", 1}}};
  for (const json& r : w.value("classes", json::array())) {
    t.rows.push_back({{"class", r.value("class", "")},
                      {"count", r.value("count", 0)},
                      {"measured_speedup", r.value("measured_speedup", 0.0)},
                      {"predicted_speedup", r.value("predicted_speedup", 0.0)},
                      {"error_pct", r.value("error_pct", 0.0)}});
  }
  t.caption = "The same kernel shapes measured on both GPUs: does the model predict the change, not only the time?";
  return t;
}

// Per kernel shape measured on both GPUs: the predicted speed-up against the
// measured one, with the y = x line and a +-15% band (the what-if gate).
Chart whatif_chart(const json& w, const std::string& model, const std::string& id, const std::string& build) {
  const std::string base = w.value("base", "?"), target = w.value("target", "?");
  Table pts{id + "-points",
            "What-if speed-up per kernel shape",
            "",
            {{"class", "class", ""},
             {"shape", "kernel and params", ""},
             {"measured_speedup", "measured speed-up", "×", 3},
             {"predicted_speedup", "predicted speed-up", "×", 3}}};
  double lo = 0, hi = 0;
  for (const json& p : w.value("points", json::array())) {
    const double m = p.value("measured_speedup", 0.0), pr = p.value("predicted_speedup", 0.0);
    pts.rows.push_back({{"class", p.value("class", "")},
                        {"shape", p.value("shape", "")},
                        {"measured_speedup", m},
                        {"predicted_speedup", pr}});
    const double a = std::min(m, pr), b = std::max(m, pr);
    lo = lo == 0 ? a : std::min(lo, a);
    hi = std::max(hi, b);
  }
  lo = std::max(0.0, lo - 0.05);
  hi += 0.05;
  Table band{id + "-band",
             "±15% band",
             "",
             {{"measured_speedup", "measured", "×", 3}, {"lo", "−15%", "×", 3}, {"hi", "+15%", "×", 3}}};
  for (double x : {lo, hi}) band.rows.push_back({{"measured_speedup", x}, {"lo", 0.85 * x}, {"hi", 1.15 * x}});
  Chart c{"chart-" + id,
          fmt::format("What-if: predicted vs measured speed-up, {} → {}", base, target),
          "",
          {},
          {pts, band}};
  c.caption = fmt::format(
      "Each point is one kernel shape measured on both GPUs: speed-up = time on {} / time on {}, predicted by the "
      "model calibrated on {} alone and told {}'s datasheet facts. Dashed: y = x; shaded: ±15%. Config: model {}, {}.",
      base, target, base, target, model, build);
  json spec = vl::base_spec(c.title, c.data, 460);
  spec["height"] = 380;
  json x = vl::quantitative("measured_speedup", "measured speed-up (×)");
  x["scale"]["domain"] = {lo, hi};
  json ylo = vl::quantitative("lo", "predicted speed-up (×)");
  ylo["scale"]["domain"] = {lo, hi};
  json yp = vl::quantitative("predicted_speedup", "predicted speed-up (×)");
  yp["scale"]["domain"] = {lo, hi};
  json ydiag = ylo;
  ydiag["field"] = "measured_speedup";
  spec["layer"] = {{{"data", vl::data_ref(band)},
                    {"mark", {{"type", "area"}, {"color", "#fdd49e"}, {"opacity", 0.6}}},
                    {"encoding", {{"x", x}, {"y", ylo}, {"y2", {{"field", "hi"}}}}}},
                   {{"data", vl::data_ref(band)},
                    {"mark", {{"type", "line"}, {"color", "#333"}, {"strokeDash", {4, 3}}}},
                    {"encoding", {{"x", x}, {"y", ydiag}}}},
                   class_points_layer(pts, x, yp)};
  c.spec = spec;
  return c;
}

}  // namespace

std::vector<Section> validation_sections(const ResultFile& v, const std::string& sfx) {
  const json& d = v.doc;
  const std::string model = d.value("model", "?");
  Section s{"validation" + sfx, "How far to trust the simulator: predicted vs measured", "", {}, {}};
  s.intro = fmt::format("Validation of the '{}' model against measured kernel times (records in {}).", model,
                        d.value("data", "?"));
  for (const json& g : d["gpus"]) {
    const std::string id = "validation-" + safe_id(g["gpu"]) + sfx;
    if (!g["points"].empty()) s.charts.push_back(validation_scatter(g, model, id, build_of(d)));
    s.tables.push_back(class_table(g, id + "-classes"));
  }
  if (d.contains("whatif") && d["whatif"].is_object()) {
    if (!d["whatif"].value("points", json::array()).empty()) {
      s.charts.push_back(whatif_chart(d["whatif"], model, "whatif-chart" + sfx, build_of(d)));
    }
    s.tables.push_back(whatif_table(d["whatif"], "whatif" + sfx));
  }
  return {s};
}

std::vector<Section> numerics_sections(const ResultFile& n, const std::string& sfx) {
  const json& d = n.doc;
  Table t{"numerics" + sfx,
          "Accumulation error vs K",
          "",
          {{"model", "accumulator model", ""},
           {"k", "K", "", 0},
           {"statistic", "statistic", ""},
           {"rel_error", "relative error", "", 6}}};
  int zeros = 0;
  std::set<std::string> models;
  for (const json& r : d["rows"]) {
    const std::string model = r.contains("model") ? r["model"].get<std::string>() : r["accumulator"].get<std::string>();
    models.insert(model);
    // Field names of `hwsim numerics error --json` (max_rel, ...) or of the report contract (max_rel_error, ...).
    for (const auto& [stat, key] : {std::pair{"max", "max_rel"}, {"mean", "mean_rel"}, {"normwise", "norm_rel"}}) {
      const std::string field = r.contains(key) ? std::string(key) : std::string(key) + "_error";
      if (!r.contains(field) || !r[field].is_number()) continue;  // normwise is optional
      const double e = r[field];
      if (e <= 0) ++zeros;
      t.rows.push_back({{"model", model}, {"k", r["k"]}, {"statistic", stat}, {"rel_error", e}});
    }
  }
  Chart c{"chart-numerics" + sfx, "FP8 GEMM accumulation error vs K, per accumulator model", "", {}, {t}};
  std::string cfg;
  for (const char* key : {"gpu", "reference", "distribution", "m", "n", "seed", "trials"}) {
    if (d.contains(key)) cfg += fmt::format("{}{} {}", cfg.empty() ? "" : ", ", key, d[key].dump());
  }
  c.caption = fmt::format(
      "Max (solid), mean (dashed) and normwise (dotted) relative error of the output against an FP64 reference, "
      "log-log{}. Config: {}{}.",
      zeros > 0 ? fmt::format("; {} zero errors cannot sit on a log axis and are in the CSV only", zeros) : "",
      cfg.empty() ? "as in the numerics file" : cfg, ", " + build_of(d));
  json spec = vl::base_spec(c.title, c.data, 560);
  spec["data"] = vl::data_ref(t);
  spec["height"] = 320;
  spec["transform"] = {{{"filter", "datum.rel_error > 0"}}};
  spec["mark"] = {{"type", "line"}, {"point", true}};
  spec["encoding"] = {
      {"x", vl::quantitative("k", "K, products accumulated per output (count, log scale)", true)},
      {"y", vl::quantitative("rel_error", "relative error (dimensionless, log scale)", true)},
      {"color",
       {{"field", "model"}, {"type", "nominal"}, {"title", "accumulator model"}, {"scale", {{"scheme", "dark2"}}}}},
      {"strokeDash",
       {{"field", "statistic"},
        {"type", "nominal"},
        {"title", "statistic"},
        {"scale", {{"domain", {"max", "mean", "normwise"}}, {"range", {json::array(), {5, 3}, {1, 3}}}}}}},
      {"tooltip", vl::tooltip(t)}};
  c.spec = spec;
  Section s{"numerics" + sfx, "Numerics: how accumulator width limits FP8 GEMM accuracy", "", {c}, {}};
  s.intro = fmt::format(
      "Relative error of FP8 GEMM outputs as the reduction length K grows, for {} accumulator "
      "models (hwsim numerics error).",
      models.size());
  return {s};
}

}  // namespace hwsim::reports
