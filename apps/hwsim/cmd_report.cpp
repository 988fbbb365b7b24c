// hwsim report RESULTS... [--out DIR]: renders result files (study,
// validation, numerics, single-kernel runs) into index.html, summary.md and
// one CSV per chart and table (reports/, docs/reports.md).
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <ctime>

#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/version.hpp"
#include "models/spec/error.hpp"
#include "reports/render.hpp"
#include "reports/results.hpp"

namespace hwsim::cli {
namespace fs = std::filesystem;

namespace {

// The report's date: SOURCE_DATE_EPOCH when set (the reproducible-builds
// convention, so the same inputs give a byte-identical report), else now.
std::string report_date() {
  std::time_t t = std::time(nullptr);
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e != nullptr && *e != '\0') {
    char* end = nullptr;
    const long long v = std::strtoll(e, &end, 10);
    if (*end != '\0' || v < 0) throw Error(fmt::format("report: SOURCE_DATE_EPOCH='{}' is not a Unix time", e));
    t = static_cast<std::time_t>(v);
  }
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

// node_modules of the checkout the binary was built in: build/bin/hwsim -> ../../node_modules.
fs::path default_assets() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "node_modules";
  return exe.parent_path().parent_path().parent_path() / "node_modules";
}

// "X,Y" of --pareto and --heatmap: exactly two names.
std::vector<std::string> pair_option(const Args& a, const char* name) {
  if (!a.has(name)) return {};
  const std::string v = a.get(name);
  const size_t comma = v.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == v.size() || v.find(',', comma + 1) != std::string::npos)
    throw Error(fmt::format("report: --{} '{}': expected two names, X,Y", name, v));
  return {v.substr(0, comma), v.substr(comma + 1)};
}

reports::SweepChoices sweep_choices(const Args& a) {
  reports::SweepChoices c;
  if (a.has("sweep-output")) c.output = a.get("sweep-output");
  c.pareto = pair_option(a, "pareto");
  c.heatmap = pair_option(a, "heatmap");
  return c;
}

}  // namespace

Command report_command() {
  Command c;
  c.name = "report";
  c.summary = "render study, validation and numerics results as HTML (charts), Markdown and CSV";
  c.usage = "RESULTS...";
  c.min_positional = 1;
  c.max_positional = INT_MAX;
  c.description =
      "Reads result files (a .json file, or every *.json in a folder): `hwsim study` results, `hwsim validate\n"
      "--out` files, `hwsim numerics error` tables, `hwsim run --json` kernel results and sweep folders (their\n"
      "sweep.json and results.jsonl: a Pareto front, a tornado chart, a heat map and the table). Writes "
      "DIR/index.html\n"
      "(one self-contained page with Vega-Lite charts; opens offline), DIR/summary.md and DIR/csv/*.csv (every\n"
      "number shown). The folder is replaced atomically; on any error nothing is written. Set SOURCE_DATE_EPOCH\n"
      "for a byte-identical report of the same inputs.";
  c.options = {
      {"out", "DIR", "folder to write the report into", "out/report"},
      {"data", "DIR", "measured records (validate/data) to read the GPU, driver and clocks from", ""},
      {"assets", "DIR", "node_modules folder holding vega, vega-lite and vega-embed",
       "node_modules beside the build folder"},
      {"sweep-output", "NAME", "sweep: the output the tornado chart and heat map show (default: the first)", ""},
      {"pareto", "X,Y", "sweep: the two columns (axes or outputs, both better lower) of the Pareto front", ""},
      {"heatmap", "X,Y", "sweep: the two axes of the heat map (default: the first two)", ""}};
  c.run = [](const Args& a) {
    std::vector<fs::path> inputs(a.positional().begin(), a.positional().end());
    reports::ResultSet results = reports::load_results(inputs);
    if (auto data = a.maybe("data")) {
      if (!fs::is_directory(*data)) throw Error(fmt::format("report: --data '{}' is not a folder", *data));
      results.measurements = reports::measurement_provenance(results.validations, *data);
    } else {
      results.measurements = reports::measurement_provenance(results.validations, {});
    }
    const fs::path assets = a.has("assets") ? fs::path(a.get("assets")) : default_assets();
    const reports::ChartingLibraries libs = reports::load_charting_libraries(assets);
    reports::ReportContext ctx{kVersion, kGitHash, report_date()};
    ctx.sweep = sweep_choices(a);
    const reports::Report report = reports::build_report(results, ctx);
    const fs::path out = a.get("out");
    reports::write_report_folder(out, reports::render_files(report, libs));
    size_t charts = 0;
    for (const auto& s : report.sections) charts += s.charts.size();
    fmt::print("report: {} charts from {} result files\n{}\n", charts, results.inputs.size(),
               (out / "index.html").string());
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
