// Fuzz target: the inputs of `hwsim report` (reports/results.cpp): a result
// file, optionally followed by a line "%%" and a sweep's results.jsonl (read
// beside the file when it is a sweep manifest), and by a second "%%" line and
// the measured records of GPU h100-sxm under --data (read for a validation
// file's provenance). The inputs are loaded as the CLI loads them and the
// report is built and rendered in memory (without the charting libraries).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "reports/render.hpp"
#include "reports/report_model.hpp"
#include "reports/results.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

// The parts of the input between lines "%%": at most three.
std::vector<std::string_view> parts(std::string_view text) {
  std::vector<std::string_view> out;
  while (out.size() < 2) {
    const size_t sep = text.find("\n%%\n");
    if (sep == std::string_view::npos) break;
    out.push_back(text.substr(0, sep + 1));
    text = text.substr(sep + 4);
  }
  out.push_back(text);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  const std::vector<std::string_view> p = parts(std::string_view(reinterpret_cast<const char*>(data), size));
  const fs::path result = hwsim::fuzz::input_file("result.json", p[0]);
  const fs::path dir = result.parent_path();
  // Each input's own files only: what an earlier input left is removed. The
  // folder of --data stays from input to input (only its records file comes
  // and goes): creating and removing folders each run cost more than the
  // report itself on a disk mounted with online discard.
  static const bool made = fs::create_directories(dir / "data" / "h100-sxm");
  (void)made;
  std::error_code ec;
  if (p.size() > 1)
    hwsim::fuzz::input_file("results.jsonl", p[1]);
  else
    fs::remove(dir / "results.jsonl", ec);
  if (p.size() > 2)
    hwsim::fuzz::input_file("data/h100-sxm/records.jsonl", p[2]);
  else
    fs::remove(dir / "data" / "h100-sxm" / "records.jsonl", ec);
  hwsim::fuzz::expect_clean_error([&] {
    namespace rp = hwsim::reports;
    const std::vector<fs::path> inputs{result};
    rp::ResultSet results = rp::load_results(inputs);
    results.measurements = rp::measurement_provenance(results.validations, dir / "data");
    const rp::Report report = rp::build_report(results, rp::ReportContext{"fuzz", "fuzz", "2026-01-01 00:00 UTC"});
    (void)rp::render_files(report, rp::ChartingLibraries{});
  });
  return 0;
}
