// The report of a sweep folder (`hwsim sweep run`, docs/sweeps.md): a Pareto
// front of two columns, a tornado chart of each axis's effect on one output,
// a heat map over two axes, and the table of every point.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "models/spec/error.hpp"
#include "reports/report_model.hpp"
#include "reports/vega_lite.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

// The unit a key's suffix names ("_us" -> µs); "" when it names none.
std::string unit_of(const std::string& key) {
  static const std::pair<const char*, const char*> kSuffixes[] = {
      {"_us", "µs"},   {"_mhz", "MHz"},       {"_MHz", "MHz"},           {"_GBps", "GB/s"}, {"_ns", "ns"},
      {"_bytes", "B"}, {"_cycles", "cycles"}, {"_per_clk", "per clock"}, {"_W", "W"}};
  for (const auto& [suffix, unit] : kSuffixes)
    if (key.ends_with(suffix)) return unit;
  return "";
}

std::string titled(const std::string& key) {
  const std::string u = unit_of(key);
  return u.empty() ? key : fmt::format("{} ({})", key, u);
}

// A value as a reader writes it: a name bare, a whole number without ".0".
std::string value_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_number()) return v.dump();
  const double d = v.get<double>();
  // Only a double within 2^63 converts to long long (beyond it the cast is undefined).
  return std::fabs(d) < 9.2e18 && d == static_cast<double>(static_cast<long long>(d))
             ? fmt::format("{}", static_cast<long long>(d))
             : fmt::format("{}", d);
}

struct SweepData {
  std::vector<std::string> axes, outputs;
  std::set<std::string> labelled;  // axes whose values are names
  std::vector<json> ok;            // rows with status ok: axes and outputs flattened
  int failed = 0;
};

SweepData flatten(const json& doc) {
  SweepData d;
  for (const json& a : doc["axes"]) {
    d.axes.push_back(a["key"]);
    if (a.contains("labels")) d.labelled.insert(a["key"].get<std::string>());
  }
  for (const json& o : doc["outputs"]) d.outputs.push_back(o);
  for (const json& r : doc["rows"]) {
    if (r.value("status", "") != "ok") {
      ++d.failed;
      continue;
    }
    json row = {{"index", r["index"]}};
    for (const auto& a : d.axes) {
      if (!r["axes"].contains(a))
        throw Error(fmt::format("report: sweep point {} has no value of {}", r["index"].dump(), a));
      // The Pareto front, the tornado chart and the heat map order an axis without labels by its numbers.
      if (!d.labelled.count(a) && !r["axes"][a].is_number())
        throw Error(fmt::format("report: sweep point {}: {} = {} is not a number (the axis has no labels)",
                                r["index"].dump(), a, r["axes"][a].dump()));
      row[a] = r["axes"][a];
    }
    for (const auto& o : d.outputs) {
      if (!r.contains("outputs") || !r["outputs"].contains(o) || !r["outputs"][o].is_number())
        throw Error(fmt::format("report: sweep point {} has no number for output {}", r["index"].dump(), o));
      row[o] = r["outputs"][o];
    }
    d.ok.push_back(std::move(row));
  }
  return d;
}

// The column a choice names, checked: an axis or an output of the sweep.
void check_column(const SweepData& d, const std::string& name, const std::string& option, bool axes_only) {
  const bool axis = std::find(d.axes.begin(), d.axes.end(), name) != d.axes.end();
  const bool output = std::find(d.outputs.begin(), d.outputs.end(), name) != d.outputs.end();
  if (axis && !axes_only && d.labelled.count(name))  // the Pareto front needs numbers on both columns
    throw Error(fmt::format("report: {} '{}' is an axis of names, not numbers", option, name));
  if (axis || (output && !axes_only)) return;
  throw Error(fmt::format("report: {} '{}' is not {} of the sweep (axes: {}{})", option, name,
                          axes_only ? "an axis" : "an axis or output", fmt::join(d.axes, ", "),
                          axes_only ? "" : fmt::format("; outputs: {}", fmt::join(d.outputs, ", "))));
}

Table points_table(const SweepData& d, const std::string& sfx) {
  Table t{"sweep-points" + sfx, "Every point of the sweep", "", {{"index", "point", "", 0}}};
  for (const auto& a : d.axes) t.columns.push_back({a, a, unit_of(a), d.labelled.count(a) ? -1 : 4});
  for (const auto& o : d.outputs) t.columns.push_back({o, o, unit_of(o), 2});
  for (const json& r : d.ok) t.rows.push_back(r);
  t.caption = fmt::format("{} points ran{}; one row per point, in the sweep's order.", d.ok.size(),
                          d.failed ? fmt::format(", {} failed and are left out", d.failed) : "");
  return t;
}

// Both columns minimised: a point is on the front when no other point is at
// least as good in both and better in one.
Chart pareto_chart(const SweepData& d, const std::string& x, const std::string& y, const std::string& sfx) {
  Table t{"sweep-pareto" + sfx,
          "Pareto front",
          "",
          {{"index", "point", "", 0}, {x, x, unit_of(x), 4}, {y, y, unit_of(y), 4}, {"front", "on the front", ""}}};
  std::vector<json> rows;
  for (const json& r : d.ok) rows.push_back({{"index", r["index"]}, {x, r[x]}, {y, r[y]}});
  std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    return a[x].get<double>() != b[x].get<double>() ? a[x].get<double>() < b[x].get<double>()
                                                    : a[y].get<double>() < b[y].get<double>();
  });
  double best = std::numeric_limits<double>::infinity();
  for (json& r : rows) {
    r["front"] = r[y].get<double>() < best ? "yes" : "no";
    best = std::min(best, r[y].get<double>());
  }
  t.rows = rows;
  Chart c{"chart-" + t.id, fmt::format("Pareto front: {} against {}", y, x), "", {}, {t}};
  json spec = vl::base_spec(c.title, c.data);
  json pts = {{"mark", {{"type", "point"}, {"filled", true}}},
              {"encoding",
               {{"x", vl::quantitative(x, titled(x))},
                {"y", vl::quantitative(y, titled(y))},
                {"color", vl::nominal("front", "on the front", {"yes", "no"})},
                {"tooltip", vl::tooltip(t)}}}};
  pts["encoding"]["x"]["scale"] = {{"zero", false}};
  pts["encoding"]["y"]["scale"] = {{"zero", false}};
  json line = {
      {"transform", {{{"filter", {{"field", "front"}, {"equal", "yes"}}}}}},
      {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
      {"encoding", {{"x", {{"field", x}, {"type", "quantitative"}}}, {"y", {{"field", y}, {"type", "quantitative"}}}}}};
  spec["data"] = vl::data_ref(t);
  spec["layer"] = {line, pts};
  c.spec = spec;
  c.caption = fmt::format(
      "Each point of the sweep; both {} and {} are better lower. The front: points no other point "
      "beats in both.",
      x, y);
  return c;
}

// Marginal mean of `output` at each value of `axis` (over the other axes).
std::map<std::string, std::pair<double, double>> marginal(const SweepData& d, const std::string& axis,
                                                          const std::string& output) {
  std::map<std::string, std::pair<double, double>> sums;  // value text -> (sum, count)
  for (const json& r : d.ok) {
    auto& s = sums[value_text(r[axis])];
    s.first += r[output].get<double>();
    s.second += 1;
  }
  return sums;
}

Chart tornado_chart(const SweepData& d, const std::string& output, const std::string& sfx) {
  Table t{"sweep-tornado" + sfx,
          "Effect of each axis",
          "",
          {{"axis", "axis", ""},
           {"low", "value giving the least", ""},
           {"high", "value giving the most", ""},
           {"pct_low", "least, vs the mean", "%", 2},
           {"pct_high", "most, vs the mean", "%", 2}}};
  double mean = 0;
  for (const json& r : d.ok) mean += r[output].get<double>() / static_cast<double>(d.ok.size());
  for (const auto& a : d.axes) {
    std::string lo, hi;
    double vlo = std::numeric_limits<double>::infinity(), vhi = -vlo;
    for (const auto& [value, s] : marginal(d, a, output)) {
      const double m = s.first / s.second;
      if (m < vlo) vlo = m, lo = value;
      if (m > vhi) vhi = m, hi = value;
    }
    t.rows.push_back({{"axis", a},
                      {"low", lo},
                      {"high", hi},
                      {"pct_low", 100 * (vlo / mean - 1)},
                      {"pct_high", 100 * (vhi / mean - 1)}});
  }
  std::vector<std::string> order;
  std::vector<json> rows(t.rows.begin(), t.rows.end());
  std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return a["pct_high"].get<double>() - a["pct_low"].get<double>() >
           b["pct_high"].get<double>() - b["pct_low"].get<double>();
  });
  for (const json& r : rows) order.push_back(r["axis"]);
  Chart c{"chart-" + t.id, fmt::format("What moves {} most", output), "", {}, {t}};
  json spec = vl::base_spec(c.title, c.data);
  spec["data"] = vl::data_ref(t);
  spec["mark"] = "bar";
  spec["encoding"] = {{"y", vl::nominal("axis", "axis", order)},
                      {"x", vl::quantitative("pct_low", fmt::format("{} against its mean over the sweep (%)", output))},
                      {"x2", {{"field", "pct_high"}}},
                      {"tooltip", vl::tooltip(t)}};
  c.spec = spec;
  c.caption = fmt::format(
      "For each axis, the mean of {} at each of its values (over every other axis), as the change "
      "from the sweep's mean: the bar spans the least and the most; longest first.",
      output);
  return c;
}

Chart heatmap_chart(const SweepData& d, const std::string& xa, const std::string& ya, const std::string& output,
                    const std::string& sfx) {
  Table t{"sweep-heatmap" + sfx,
          "Heat map",
          "",
          {{xa, xa, unit_of(xa), -1},
           {ya, ya, unit_of(ya), -1},
           {output, "mean " + output, unit_of(output), 2},
           {"points", "points", "", 0}}};
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> cells;
  std::vector<std::pair<std::pair<std::string, std::string>, std::pair<json, json>>> order;
  for (const json& r : d.ok) {
    const auto key = std::make_pair(value_text(r[xa]), value_text(r[ya]));
    if (!cells.count(key)) order.push_back({key, {r[xa], r[ya]}});
    cells[key].first += r[output].get<double>();
    cells[key].second += 1;
  }
  for (const auto& [key, values] : order) {
    const auto& [sum, n] = cells[key];
    t.rows.push_back({{xa, values.first}, {ya, values.second}, {output, sum / n}, {"points", n}});
  }
  Chart c{"chart-" + t.id, fmt::format("{} over {} and {}", output, xa, ya), "", {}, {t}};
  json spec = vl::base_spec(c.title, c.data, 480);
  spec["data"] = vl::data_ref(t);
  auto ordinal = [](const std::string& f) {
    return json{{"field", f}, {"type", "ordinal"}, {"title", titled(f)}, {"sort", "ascending"}};
  };
  json rect = {{"mark", "rect"},
               {"encoding",
                {{"x", ordinal(xa)},
                 {"y", ordinal(ya)},
                 {"color", vl::quantitative(output, titled(output))},
                 {"tooltip", vl::tooltip(t)}}}};
  json text = {{"mark", {{"type", "text"}, {"fontSize", 10}}},
               {"encoding",
                {{"x", {{"field", xa}, {"type", "ordinal"}, {"sort", "ascending"}}},
                 {"y", {{"field", ya}, {"type", "ordinal"}, {"sort", "ascending"}}},
                 {"text", {{"field", output}, {"type", "quantitative"}, {"format", ",.1f"}}}}}};
  spec["layer"] = {rect, text};
  c.spec = spec;
  c.caption = fmt::format("The mean of {} in each cell (over every other axis).", output);
  return c;
}

}  // namespace

std::vector<Section> sweep_sections(const ResultFile& f, const SweepChoices& choice, const std::string& sfx) {
  const SweepData d = flatten(f.doc);
  if (d.ok.empty()) throw Error(fmt::format("report: sweep '{}' has no finished point", f.path.parent_path().string()));
  const std::string output = choice.output.empty() ? d.outputs.front() : choice.output;
  if (std::find(d.outputs.begin(), d.outputs.end(), output) == d.outputs.end())
    throw Error(fmt::format("report: --sweep-output '{}' is not an output of the sweep (outputs: {})", output,
                            fmt::join(d.outputs, ", ")));
  Section s{"sweep" + sfx,
            fmt::format("Sweep of {} on {}", f.doc.value("workload", "?"), f.doc.value("gpu", "?")),
            "",
            {},
            {}};
  s.intro = fmt::format("{} points over {} ({} sampling, seed {}), simulated by hwsim {}.", d.ok.size() + d.failed,
                        fmt::join(d.axes, ", "), f.doc.value("sampling", "?"), f.doc.value("seed", json(0)).dump(),
                        f.doc.value("simulator", "?"));
  std::vector<std::string> pareto = choice.pareto;
  if (pareto.empty()) {
    for (const auto& a : d.axes)
      if (!d.labelled.count(a) && pareto.empty()) pareto = {a, output};
  }
  for (const auto& p : pareto) check_column(d, p, "--pareto", false);
  if (pareto.size() == 2) s.charts.push_back(pareto_chart(d, pareto[0], pareto[1], sfx));
  s.charts.push_back(tornado_chart(d, output, sfx));
  std::vector<std::string> heat = choice.heatmap;
  if (heat.empty() && d.axes.size() >= 2) heat = {d.axes[0], d.axes[1]};
  for (const auto& h : heat) check_column(d, h, "--heatmap", true);
  if (heat.size() == 2) s.charts.push_back(heatmap_chart(d, heat[0], heat[1], output, sfx));
  s.tables.push_back(points_table(d, sfx));
  return {s};
}

}  // namespace hwsim::reports
