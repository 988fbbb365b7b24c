#pragma once
// What a report shows, before it is rendered: charts (Vega-Lite specs with
// their data inline), tables, the headline and the provenance. Everything a
// reader sees as a number is in a Table, and every Table becomes one CSV file,
// so the CSVs hold every number shown. Built by build_report() from the
// result files; rendered by render.hpp into HTML, Markdown and CSV.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/results.hpp"

namespace hwsim::reports {

struct Column {
  std::string key;    // field name in the rows
  std::string title;  // header shown to the reader
  std::string unit;   // "" for labels and dimensionless counts
  int decimals = -1;  // digits shown in HTML/Markdown; -1 = text, CSV keeps full precision
};

struct Table {
  std::string id;  // csv/<id>.csv; also the Vega-Lite dataset name
  std::string title;
  std::string caption;
  std::vector<Column> columns;
  nlohmann::json rows = nlohmann::json::array();  // objects keyed by Column::key
};

struct Chart {
  std::string id;  // HTML element id; its tables are csv/<table id>.csv
  std::string title;
  std::string caption;      // one line: what it shows and the configuration it came from
  nlohmann::json spec;      // Vega-Lite; data inline under "datasets"
  std::vector<Table> data;  // the datasets of `spec`, in order
};

struct Section {
  std::string id;
  std::string title;
  std::string intro;  // one paragraph, plain text
  std::vector<Chart> charts;
  std::vector<Table> tables;
};

struct ProvenanceItem {
  std::string label;
  std::string value;
};

struct Report {
  std::string title;
  std::string headline;  // the first sentence a reader sees, computed from the data
  std::string why;       // the mechanism behind it, and the combined figure
  std::vector<ProvenanceItem> provenance;
  std::vector<std::pair<std::string, nlohmann::json>> configs;  // resolved configs, by name
  std::vector<Section> sections;
};

// What a sweep's charts show (hwsim report --sweep-output/--pareto/--heatmap);
// empty: the first output, the first numeric axis against it, the first two axes.
struct SweepChoices {
  std::string output;
  std::vector<std::string> pareto;   // two columns (axes or outputs), both minimised
  std::vector<std::string> heatmap;  // two axes
};

struct ReportContext {
  std::string hwsim_version;  // of the hwsim that renders the report
  std::string hwsim_git;
  std::string date;  // ISO 8601 date-time of the report, UTC
  SweepChoices sweep{};
};

// Builds the whole report. Throws hwsim::Error naming the file when a GPU a
// result refers to cannot be loaded for the roofline.
Report build_report(const ResultSet& results, const ReportContext& ctx);

// Parts of build_report, one per kind of result (charts_study.cpp,
// charts_measured.cpp); `suffix` keeps ids unique when there are several.
struct StudySummary {
  std::string headline;
  std::string why;
};
StudySummary summarise_study(const nlohmann::json& study);
std::vector<Section> study_sections(const ResultFile& study, std::span<const ResultFile> kernels,
                                    const std::string& suffix);
// The step-level part of a study (its "step" object; charts_step.cpp): the
// headline and mechanism of the best communication proposal on the training
// step, and the section with its charts. Both empty without step proposals.
StudySummary summarise_step(const nlohmann::json& study);
std::vector<Section> step_sections(const nlohmann::json& study, const std::string& suffix);
// One panel per (proposal, parameter), all in one chart: the speed-up as the
// parameter varies, the others at their defaults, with the no-gain line at
// 1.0×. `time_column` names the points' time field ("total_us" per layer,
// "step_s" per step); the chart is "chart-" + id, its table `id`.
Chart sensitivity_panels(const std::vector<const nlohmann::json*>& proposals, const Column& time_column,
                         const std::string& id, const std::string& title, const std::string& caption);
// The Vega-Lite spec of a speed-up bar chart over table `t` (columns proposal,
// speedup, group, label): horizontal bars from the no-gain line at 1.0×, the
// axis extended left of it when a proposal slows things down, each bar's
// label beside it, bars coloured by `group` (`groups` -> `colours`).
nlohmann::json speedup_bars_spec(const Chart& c, const Table& t, const std::vector<std::string>& order,
                                 const std::string& y_title, const std::string& x_title,
                                 const std::vector<std::string>& groups, const std::vector<std::string>& colours);
std::vector<Section> validation_sections(const ResultFile& validation, const std::string& suffix);
std::vector<Section> numerics_sections(const ResultFile& numerics, const std::string& suffix);
// `hwsim trace predict`'s summary.json (charts_trace.cpp).
std::vector<Section> trace_sections(const ResultFile& trace, const std::string& suffix);
Section kernel_roofline_section(std::span<const ResultFile> kernels);
// A sweep folder (charts_sweep.cpp): Pareto front, tornado, heat map, the points.
// Throws hwsim::Error when a choice names no column of the sweep.
std::vector<Section> sweep_sections(const ResultFile& sweep, const SweepChoices& choice, const std::string& suffix);

// "NVIDIA H800 SXM5 80GB" -> "H800", from a study's gpu_display_name (or gpu).
std::string gpu_short_name(const nlohmann::json& study);

// "hwsim 0.1.0 (git abc123)" from a result's "hwsim" object, or
// "hwsim build not recorded" when the result has none.
std::string build_of(const nlohmann::json& doc);

// Walks a Vega-Lite spec (layers, concats) and returns every x/y encoding.
std::vector<nlohmann::json> positional_encodings(const nlohmann::json& spec);

}  // namespace hwsim::reports
