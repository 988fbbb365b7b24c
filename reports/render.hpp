#pragma once
// Rendering a Report into its three forms and writing them as one folder:
//   index.html   one self-contained page: the charting libraries (Vega, Vega-Lite,
//                Vega-Embed, read from node_modules/) and every spec inlined; a
//                Content-Security-Policy forbids all network access at view time
//   summary.md   the headline, provenance and tables in Markdown
//   csv/*.csv    one file per chart dataset and per table: every number shown
// The folder is built beside the target and renamed into place, so an error
// leaves nothing behind and an earlier report stays whole until replaced.
#include <filesystem>
#include <map>
#include <string>

#include "reports/report_model.hpp"

namespace hwsim::reports {

// The three minified bundles, read from a node_modules folder.
struct ChartingLibraries {
  std::string vega;
  std::string vega_lite;
  std::string vega_embed;
};

// Throws hwsim::Error naming the missing file and how to install it.
ChartingLibraries load_charting_libraries(const std::filesystem::path& node_modules);

std::string render_html(const Report& report, const ChartingLibraries& libs);
std::string render_markdown(const Report& report);
std::string render_csv(const Table& table);

// Every file of the report, by path relative to the report folder.
std::map<std::string, std::string> render_files(const Report& report, const ChartingLibraries& libs);

// Writes `files` as the folder `out`, atomically (see above). An existing
// `out` is replaced only if it is a report folder (holds index.html) or empty.
void write_report_folder(const std::filesystem::path& out, const std::map<std::string, std::string>& files);

}  // namespace hwsim::reports
