// Spec generation: every chart titled, captioned with its configuration, with
// unit-bearing axis titles and its data inline; the headline computed from
// the study; ceilings from the GPU description; provenance from records.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "models/spec/roofline.hpp"
#include "reports/render.hpp"
#include "reports/report_model.hpp"
#include "reports/results.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;
using namespace hwsim::reports;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(HWSIM_SOURCE_DIR) / "tests" / "reports" / "fixtures";

ResultSet fixture_results() {
  const std::vector<fs::path> in{kFixtures / "study.json", kFixtures / "validation.json", kFixtures / "numerics.json",
                                 kFixtures / "run_gemm.json"};
  ResultSet r = load_results(in);
  r.measurements = measurement_provenance(r.validations, kFixtures / "data");
  return r;
}

const ReportContext kCtx{"0.1.0", "test", "2026-01-01 00:00 UTC"};

std::vector<const Chart*> all_charts(const Report& r) {
  std::vector<const Chart*> out;
  for (const Section& s : r.sections) {
    for (const Chart& c : s.charts) out.push_back(&c);
  }
  return out;
}

const Chart& chart_starting(const Report& r, const std::string& prefix) {
  for (const Chart* c : all_charts(r)) {
    if (c->id.rfind(prefix, 0) == 0) return *c;
  }
  FAIL("no chart " << prefix);
  throw;
}

}  // namespace

TEST_CASE("the fixtures are recognised by their content") {
  const ResultSet r = fixture_results();
  CHECK(r.studies.size() == 1);
  CHECK(r.validations.size() == 1);
  CHECK(r.numerics.size() == 1);
  CHECK(r.kernels.size() == 1);
  CHECK(r.inputs.size() == 4);
}

TEST_CASE("every chart has a title, a caption with its configuration, and axis titles with units") {
  const Report rep = build_report(fixture_results(), kCtx);
  const auto charts = all_charts(rep);
  // speed-up, breakdown, kernels, sensitivity, step speed-up, step sensitivity, roofline, validation, numerics
  REQUIRE(charts.size() == 9);
  for (const Chart* c : charts) {
    INFO(c->id);
    CHECK(!c->title.empty());
    CHECK(c->spec["title"]["text"] == c->title);
    CHECK(c->caption.find("Config: ") != std::string::npos);
    CHECK(c->caption.find("hwsim ") != std::string::npos);  // the build it came from, or that it is unrecorded
    CHECK(std::count(c->caption.begin(), c->caption.end(), '\n') == 0);
    const auto enc = positional_encodings(c->spec);
    REQUIRE(enc.size() >= 1);
    for (const json& e : enc) {
      if (!e.contains("field")) continue;  // a datum (the 1.0× rule) has no axis of its own
      INFO(e.dump());
      REQUIRE(e.contains("title"));
      const std::string t = e["title"];
      CHECK(!t.empty());
      if (e["type"] == "quantitative") {
        CHECK(t.find('(') != std::string::npos);
        CHECK(t.back() == ')');
      }
    }
  }
  // Study charts name the GPU, tokens and build they came from.
  for (const char* id : {"chart-speedup", "chart-breakdown", "chart-kernels", "chart-sensitivity", "chart-roofline",
                         "chart-step-speedup", "chart-step-sensitivity"}) {
    const Chart& c = chart_starting(rep, id);
    INFO(c.caption);
    CHECK(c.caption.find("NVIDIA H800 SXM5 80GB") != std::string::npos);
    CHECK(c.caption.find("4096 tokens/GPU") != std::string::npos);
    CHECK(c.caption.find("hwsim 0.1.0 (git fixture)") != std::string::npos);
  }
}

TEST_CASE("chart data is inline and every number in it is in the chart's CSV") {
  const Report rep = build_report(fixture_results(), kCtx);
  for (const Chart* c : all_charts(rep)) {
    INFO(c->id);
    REQUIRE(!c->data.empty());
    for (const Table& t : c->data) {
      REQUIRE(c->spec["datasets"].contains(t.id));
      CHECK(c->spec["datasets"][t.id] == t.rows);
      CHECK(!t.rows.empty());
      const std::string csv = render_csv(t);
      std::istringstream lines(csv);
      std::string header, line;
      std::getline(lines, header);
      size_t i = 0;
      for (; std::getline(lines, line); ++i) {
        REQUIRE(i < t.rows.size());
        for (const auto& [k, v] : t.rows[i].items()) {
          if (v.is_number_float()) CHECK(line.find(fmt::format("{}", v.get<double>())) != std::string::npos);
        }
      }
      CHECK(i == t.rows.size());
      // Every field a chart encodes is a column of its CSV.
      for (const auto& [k, v] : t.rows[0].items()) CHECK(header.find(k) != std::string::npos);
    }
  }
}

TEST_CASE("the headline names the proposal with the largest speed-up, computed from the study") {
  ResultSet r = fixture_results();
  json& s = r.studies[0].doc;
  auto expected = [&]() {
    const json* best = nullptr;
    for (const json& p : s["proposals"]) {
      if (p["name"] != "combined" && (best == nullptr || p["speedup"] > (*best)["speedup"])) best = &p;
    }
    return best;
  };
  const json* best = expected();
  std::string h = summarise_study(s).headline;
  INFO(h);
  CHECK(h.rfind("On DeepSeek-V3 (4096 tokens/GPU, H800), ", 0) == 0);
  CHECK(h.find((*best)["title"].get<std::string>() + " buys the most") != std::string::npos);
  CHECK(h.find(fmt::format("{:.1f}% faster per layer", ((*best)["speedup"].get<double>() - 1) * 100)) !=
        std::string::npos);
  CHECK(h.find("from " + (*best)["top_contributors"][0]["name"].get<std::string>()) != std::string::npos);
  CHECK(h.find("% of the saving)") != std::string::npos);
  // Make another proposal the best: the headline follows the data.
  for (json& p : s["proposals"]) {
    if (p["name"] == "transposed_fp8") p["speedup"] = 1.5;
  }
  h = summarise_study(s).headline;
  CHECK(h.find("Transposed FP8 operands buys the most: 50.0% faster") != std::string::npos);
  CHECK(summarise_study(s).why.find("All 3 proposals together") != std::string::npos);
}

TEST_CASE("the speed-up chart has one bar per proposal, best first and combined last") {
  const Report rep = build_report(fixture_results(), kCtx);
  const Chart& c = chart_starting(rep, "chart-speedup");
  const json& rows = c.data[0].rows;
  REQUIRE(rows.size() == 4);
  CHECK(rows.back()["name"] == "combined");
  for (size_t i = 1; i + 1 < rows.size(); ++i) CHECK(rows[i - 1]["speedup"] >= rows[i]["speedup"]);
  CHECK(rows[0]["group"] == "largest single gain");
}

TEST_CASE("the step speed-up chart has one bar per communication proposal, from the study's step times") {
  const ResultSet r = fixture_results();
  const Report rep = build_report(r, kCtx);
  const Chart& c = chart_starting(rep, "chart-step-speedup");
  const json& step = r.studies[0].doc["step"];
  const json& rows = c.data[0].rows;
  REQUIRE(rows.size() == step["proposals"].size());
  for (size_t i = 1; i < rows.size(); ++i) CHECK(rows[i - 1]["speedup"] >= rows[i]["speedup"]);
  CHECK(rows[0]["group"] == "largest gain");
  for (const json& row : rows) {
    CHECK(row["saved_s"].get<double>() ==
          Approx(step["baseline"]["step_s"].get<double>() - row["step_s"].get<double>()));
  }
  CHECK(c.caption.find("deepseek-v3-step on 2048 GPUs (PP16, EP64)") != std::string::npos);
  // The step table lists the baseline and every proposal with its SMs held.
  const Table* t = nullptr;
  for (const Section& s : rep.sections) {
    for (const Table& tab : s.tables) {
      if (tab.id == "step") t = &tab;
    }
  }
  REQUIRE(t != nullptr);
  REQUIRE(t->rows.size() == 1 + step["proposals"].size());
  CHECK(t->rows[0]["comm_sms"] == 20);
  // Only the proposals with a sweep have step sensitivity panels.
  CHECK(chart_starting(rep, "chart-step-sensitivity").spec["concat"].size() == 1);
}

TEST_CASE("a study of communication proposals only is headed by its step result") {
  ResultSet r = fixture_results();
  json& s = r.studies[0].doc;
  // With layer proposals, the step result follows the layer headline.
  CHECK(summarise_study(s).why.find("On the DeepSeek-V3 training step (2048 GPUs, 4096 tokens/GPU, H800), Unified "
                                    "scale-up/scale-out adapter buys the most: 11.9% faster per step") !=
        std::string::npos);
  s["proposals"] = json::array();
  const StudySummary sum = summarise_study(s);
  INFO(sum.headline);
  CHECK(sum.headline.rfind("On the DeepSeek-V3 training step (2048 GPUs, 4096 tokens/GPU, H800), ", 0) == 0);
  CHECK(sum.headline.find("Unified scale-up/scale-out adapter buys the most: 11.9% faster per step (1.119×") !=
        std::string::npos);
  CHECK(sum.headline.find("0 SMs held by the all-to-all instead of 20") != std::string::npos);
  const Report rep = build_report(r, kCtx);
  std::vector<std::string> ids;
  for (const Chart* c : all_charts(rep)) ids.push_back(c->id.substr(0, c->id.find("-spec")));
  CHECK(std::find(ids.begin(), ids.end(), "chart-speedup") == ids.end());
  CHECK(std::find(ids.begin(), ids.end(), "chart-step-speedup") != ids.end());
  CHECK(std::find(ids.begin(), ids.end(), "chart-roofline") != ids.end());
  CHECK(rep.title.find("deepseek-v3-step") != std::string::npos);
  // No communication proposal faster than the baseline: said so.
  for (json& p : s["step"]["proposals"]) p["speedup"] = 0.9;
  CHECK(summarise_study(s).headline.find("no communication proposal makes the step faster") != std::string::npos);
}

TEST_CASE("the stacked breakdown of each configuration adds up to its total time") {
  const ResultSet r = fixture_results();
  const Report rep = build_report(r, kCtx);
  const Chart& c = chart_starting(rep, "chart-breakdown");
  std::map<std::string, double> sums;
  for (const json& row : c.data[0].rows) sums[row["configuration"]] += row["time_us"].get<double>();
  const json& s = r.studies[0].doc;
  CHECK(sums["baseline"] == Approx(s["baseline"]["total_us"].get<double>()).epsilon(1e-6));
  for (const json& p : s["proposals"]) CHECK(sums[p["title"]] == Approx(p["total_us"].get<double>()).epsilon(1e-6));
}

TEST_CASE("roofline ceilings are computed from the GPU description and its configured overrides") {
  ResultSet r = fixture_results();
  const RooflineSummary h800 = roofline(load_gpu("h800-sxm"));
  auto ceilings = [&]() {
    const Report rep = build_report(r, kCtx);
    return chart_starting(rep, "chart-roofline").data[1].rows;
  };
  double top = 0, low = 1e30;
  for (const json& row : ceilings()) {
    top = std::max(top, row["tflops"].get<double>());
    low = std::min(low, row["tflops"].get<double>());
  }
  double fp8 = 0;
  for (const auto& row : h800.rows) {
    if (row.dtype == DataType::kFp8E4M3) fp8 = row.peak_flops;
  }
  CHECK(top == Approx(fp8 / 1e12));
  CHECK(low == Approx(0.1 * h800.hbm_peak_bytes_per_s / 1e12));
  r.studies[0].doc["config"]["params"]["hbm.bandwidth_GBps"]["value"] = 1000;
  low = 1e30;
  for (const json& row : ceilings()) low = std::min(low, row["tflops"].get<double>());
  CHECK(low == Approx(0.1 * 1000e9 / 1e12));
}

TEST_CASE("measurement provenance comes from the records under --data") {
  const ResultSet r = fixture_results();
  REQUIRE(r.measurements.size() == 1);
  const MeasurementProvenance& m = r.measurements[0];
  CHECK(m.gpu == "h100-sxm");
  CHECK(m.gpu_name == "NVIDIA H100 80GB HBM3");
  CHECK(m.driver == "550.54.15");
  CHECK(m.sm_clock_min_mhz == 1755);
  CHECK(m.sm_clock_max_mhz == 1980);
  CHECK(m.records == 2);
  CHECK(m.first_date == "2026-11-01");
  CHECK(m.last_date == "2026-11-02");
  // A provenance list in the validation file wins over the records.
  ResultSet r2 = fixture_results();
  r2.validations[0].doc["gpus"][0]["provenance"] =
      json::array({{{"gpu_name", "NVIDIA H200"}, {"driver", "560.1"}, {"cuda", "12.6"}, {"sm_clock_mhz", 1980}}});
  const auto m2 = measurement_provenance(r2.validations, kFixtures / "data");
  REQUIRE(m2.size() == 1);
  CHECK(m2[0].gpu_name == "NVIDIA H200");
}

TEST_CASE("the page is self-contained: libraries and specs inline, a policy that forbids network access") {
  const Report rep = build_report(fixture_results(), kCtx);
  const std::string html = render_html(rep, {"/*VEGA-STUB*/", "/*VEGA-LITE-STUB*/", "/*VEGA-EMBED-STUB*/"});
  CHECK(html.find("/*VEGA-STUB*/") != std::string::npos);
  CHECK(html.find("/*VEGA-EMBED-STUB*/") != std::string::npos);
  CHECK(html.find("default-src 'none'") != std::string::npos);
  CHECK(html.find(" src=") == std::string::npos);  // no external script or image
  CHECK(html.find("<link") == std::string::npos);  // no external style sheet
  CHECK(html.find("{{") == std::string::npos);     // every placeholder filled
  for (const Chart* c : all_charts(rep)) CHECK(html.find("id=\"" + c->id + "-spec\"") != std::string::npos);
  CHECK(html.find("NVIDIA H100 80GB HBM3, driver 550.54.15, CUDA 12.4; SM clock 1755–1980 MHz") != std::string::npos);
}

TEST_CASE("the same inputs give byte-identical files") {
  const ChartingLibraries libs{"a", "b", "c"};
  const auto one = render_files(build_report(fixture_results(), kCtx), libs);
  const auto two = render_files(build_report(fixture_results(), kCtx), libs);
  CHECK(one == two);
  CHECK(one.count("index.html") == 1);
  CHECK(one.count("summary.md") == 1);
  CHECK(one.count("csv/speedup.csv") == 1);
  CHECK(one.count("csv/validation-h100-sxm-classes.csv") == 1);
}

TEST_CASE("results in the shapes the commands write today are read: no hwsim block, numerics without a kind") {
  ResultSet r = fixture_results();
  r.studies[0].doc.erase("hwsim");
  CHECK(classify_result(r.studies[0].doc, "s.json") == ResultKind::study);
  const Report rep = build_report(r, kCtx);
  CHECK(chart_starting(rep, "chart-speedup").caption.find("hwsim build not recorded") != std::string::npos);
  // `hwsim numerics error --json`: rows of {k, accumulator, max_rel, mean_rel, norm_rel, mean_signed_rel}.
  const json numerics = json::parse(R"({"distribution": "uniform_pos", "m": 64, "n": 64, "seed": 1, "rows": [
      {"k": 128, "accumulator": "hopper", "max_rel": 1.2e-3, "mean_rel": 5.0e-4, "norm_rel": 8.8e-4},
      {"k": 8192, "accumulator": "hopper", "max_rel": 1.4e-1, "mean_rel": 1.3e-1, "norm_rel": 1.3e-1},
      {"k": 128, "accumulator": "fp32_exact", "max_rel": 1.1e-6, "mean_rel": 0, "norm_rel": 1.0e-6}]})");
  REQUIRE(classify_result(numerics, "n.json") == ResultKind::numerics);
  const auto secs = numerics_sections({"n.json", ResultKind::numerics, numerics}, "");
  const Table& t = secs.at(0).charts.at(0).data.at(0);
  CHECK(t.rows.size() == 9);  // max, mean and normwise for each row
  CHECK(secs[0].charts[0].caption.find("1 zero errors") != std::string::npos);
  CHECK(secs[0].charts[0].caption.find("distribution \"uniform_pos\"") != std::string::npos);
}

TEST_CASE("single-kernel results alone give a roofline with their HBM bytes summed from hbm_*") {
  const std::vector<fs::path> in{kFixtures / "run_gemm.json"};
  const ResultSet r = load_results(in);
  REQUIRE(r.kernels.size() == 1);
  const Report rep = build_report(r, kCtx);
  CHECK(rep.headline == "1 single-kernel result of `hwsim run`, placed on the roofline.");
  const Chart& c = chart_starting(rep, "chart-roofline-runs-h800-sxm");
  REQUIRE(c.data[0].rows.size() == 1);
  const json& k = r.kernels[0].doc;
  const double hbm = k["bytes"]["hbm_read"].get<double>() + k["bytes"]["hbm_write"].get<double>();
  CHECK(c.data[0].rows[0]["hbm_bytes"].get<double>() == Approx(hbm));
  CHECK(c.data[0].rows[0]["intensity"].get<double>() == Approx(k["flops"].get<double>() / hbm));
  CHECK(c.data[0].rows[0]["tflops"].get<double>() ==
        Approx(k["flops"].get<double>() / (k["time_us"].get<double>() * 1e-6) / 1e12));
}
