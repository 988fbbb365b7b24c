// Bad input is rejected with an error naming the file, and the report folder
// is written whole or not at all.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "models/spec/error.hpp"
#include "reports/render.hpp"
#include "reports/results.hpp"

using namespace hwsim;
using namespace hwsim::reports;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

const fs::path kErrorFixtures = fs::path(HWSIM_SOURCE_DIR) / "tests" / "reports" / "fixtures";

std::string load_error(const std::vector<fs::path>& in) {
  try {
    load_results(in);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// A fresh folder under the build tree for one test.
fs::path scratch(const std::string& name) {
  const fs::path p = fs::current_path() / "test-scratch" / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string file_text(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t leftovers(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().find(".tmp.") != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("a results file that is not JSON is named with its line and column") {
  const std::string f = (kErrorFixtures / "broken" / "not_json.json").string();
  CHECK_THAT(load_error({f}), StartsWith("report: results file '" + f + "' is not valid JSON at line 3, column"));
}

TEST_CASE("a study without a baseline is named") {
  const std::string f = (kErrorFixtures / "broken" / "no_baseline.json").string();
  CHECK(load_error({f}) == "report: results file '" + f + "' has no 'baseline'");
}

TEST_CASE("the step-level part of a study is checked like the rest, and a study needs some proposal") {
  std::ifstream in(kErrorFixtures / "study.json");
  nlohmann::json study = nlohmann::json::parse(in);
  CHECK(classify_result(study, "s.json") == ResultKind::study);
  nlohmann::json bad = study;
  bad["step"]["proposals"][1]["speedup"] = "fast";
  CHECK_THROWS_WITH(classify_result(bad, "s.json"),
                    "report: results file 's.json' 'step.proposals[1].speedup' is not a number (got \"fast\")");
  bad = study;
  bad["step"]["baseline"].erase("step_s");
  CHECK_THROWS_WITH(classify_result(bad, "s.json"), "report: results file 's.json' has no 'step.baseline.step_s'");
  // Step-level proposals alone make a study; neither layer nor step proposals does not.
  nlohmann::json step_only = study;
  step_only["proposals"] = nlohmann::json::array();
  CHECK(classify_result(step_only, "s.json") == ResultKind::study);
  step_only["step"]["proposals"] = nlohmann::json::array();
  CHECK_THROWS_WITH(classify_result(step_only, "s.json"),
                    Contains("has an empty 'proposals' list and no step-level proposals"));
}

TEST_CASE("a field of the wrong type is named with its path") {
  const std::string f = (kErrorFixtures / "broken" / "bad_speedup.json").string();
  CHECK(load_error({f}) == "report: results file '" + f + "' 'proposals[1].speedup' is not a number (got \"fast\")");
}

TEST_CASE("a missing results file is named") {
  const std::string f = (kErrorFixtures / "no_such_study.json").string();
  CHECK(load_error({f}) == "report: results file '" + f + "' does not exist");
}

TEST_CASE("a JSON file of an unknown kind is rejected when named, skipped in a folder") {
  const fs::path dir = scratch("unknown-kind");
  write(dir / "other.json", R"({"kind": "something_else"})");
  CHECK_THAT(load_error({dir / "other.json"}), Contains("has unknown kind 'something_else'"));
  write(dir / "notes.json", R"({"hello": 1})");
  CHECK_THAT(load_error({dir / "notes.json"}), Contains("is not an hwsim result"));
  fs::remove(dir / "other.json");
  CHECK_THAT(load_error({dir}), Contains("holds no hwsim result files"));
  fs::copy_file(kErrorFixtures / "study.json", dir / "study.json");
  CHECK(load_error({dir}) == "no error");
  fs::remove_all(dir);
}

TEST_CASE("a broken file inside a results folder is named") {
  const fs::path dir = scratch("broken-in-folder");
  fs::copy_file(kErrorFixtures / "study.json", dir / "a_study.json");
  write(dir / "b_validation.json", "{\"gpus\": [ {\"gpu\": \"h100-sxm\"} ]}");
  CHECK(load_error({dir}) ==
        "report: results file '" + (dir / "b_validation.json").string() + "' has no 'gpus[0].overall'");
  fs::remove_all(dir);
}

TEST_CASE("missing charting libraries are named with how to install them") {
  const fs::path dir = scratch("no-assets");
  try {
    load_charting_libraries(dir);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Contains("'" + (dir / "vega" / "build" / "vega.min.js").string() + "' is missing"));
    CHECK_THAT(e.what(), Contains("npm ci"));
  }
  fs::remove_all(dir);
}

TEST_CASE("a report folder replaces the previous one whole") {
  const fs::path dir = scratch("replace");
  const fs::path out = dir / "report";
  write_report_folder(out, {{"index.html", "one"}, {"csv/a.csv", "x\n1\n"}});
  CHECK(file_text(out / "index.html") == "one");
  write_report_folder(out, {{"index.html", "two"}, {"summary.md", "s"}});
  CHECK(file_text(out / "index.html") == "two");
  CHECK(!fs::exists(out / "csv" / "a.csv"));  // nothing of the old report lingers
  CHECK(leftovers(dir) == 0);
  fs::remove_all(dir);
}

// The folder is replaced by renames, which once replaced a symlink --out by a folder (its target kept the old
// report).
TEST_CASE("a report folder through a symlink replaces the link's target and keeps the link") {
  const fs::path dir = scratch("symlink");
  write_report_folder(dir / "real", {{"index.html", "old"}});
  fs::create_symlink("real", dir / "report");
  write_report_folder(dir / "report", {{"index.html", "new"}});
  CHECK(fs::is_symlink(dir / "report"));
  CHECK(file_text(dir / "real" / "index.html") == "new");
  fs::create_symlink("fresh", dir / "dangling");  // a dangling link: its target is created
  write_report_folder(dir / "dangling", {{"index.html", "first"}});
  CHECK(fs::is_symlink(dir / "dangling"));
  CHECK(file_text(dir / "fresh" / "index.html") == "first");
  CHECK(leftovers(dir) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a failure while writing leaves the previous report intact and no partial folder") {
  const fs::path dir = scratch("fail-midway");
  const fs::path out = dir / "report";
  write_report_folder(out, {{"index.html", "old"}});
  // A file name longer than any file system allows fails after index.html is written.
  const std::string too_long = "csv/" + std::string(300, 'x') + ".csv";
  CHECK_THROWS_WITH(write_report_folder(out, {{"index.html", "new"}, {too_long, "1"}}),
                    Contains("cannot write the report folder '" + out.string() + "'"));
  CHECK(file_text(out / "index.html") == "old");
  CHECK(leftovers(dir) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a folder that is not a report is never replaced") {
  const fs::path dir = scratch("not-a-report");
  write(dir / "src" / "keep.txt", "precious");
  CHECK_THROWS_WITH(write_report_folder(dir / "src", {{"index.html", "x"}}),
                    Contains("exists and is not a report folder"));
  CHECK(file_text(dir / "src" / "keep.txt") == "precious");
  fs::remove_all(dir);
}

TEST_CASE("a top-level field of the wrong type is named without a leading dot") {
  const fs::path dir = scratch("top-level-type");
  write(dir / "run.json", R"({"time_us": "slow", "flops": 1, "bytes": {}, "gpu": "h800-sxm", "kernel": "gemm"})");
  CHECK(load_error({dir / "run.json"}) ==
        "report: results file '" + (dir / "run.json").string() + "' 'time_us' is not a number (got \"slow\")");
  fs::remove_all(dir);
}

namespace {

// A sweep folder: sweep.json with the given axes and outputs, results.jsonl with the given rows.
fs::path sweep_folder(const std::string& name, const std::string& axes, const std::string& rows,
                      const std::string& outputs = R"(["time_us"])") {
  const fs::path dir = scratch(name);
  write(dir / "sweep.json",
        fmt::format(R"({{"hwsim_sweep": 1, "axes": {}, "outputs": {}, "points": []}})", axes, outputs));
  write(dir / "results.jsonl", rows);
  return dir;
}

std::string report_error(const fs::path& sweep_json) {
  try {
    const std::vector<fs::path> in{sweep_json};
    build_report(load_results(in), ReportContext{"test", "test", "2026-01-01 00:00 UTC"});
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

// Found while writing the report fuzz target (docs/reliability.md): results.jsonl
// was read by nlohmann::json::parse, which kept the last of two equal keys and
// threw out_of_range (an internal error) for 1e400; the charts read axis keys,
// outputs and values without checking their types.
TEST_CASE("a sweep's results.jsonl goes through the strict JSON reader") {
  const std::string axes = R"([{"key": "param.m"}])";
  fs::path dir = sweep_folder("sweep-dup", axes, R"({"index": 0, "status": "ok", "status": "failed", "axes": {}})");
  CHECK(load_error({dir / "sweep.json"}) ==
        fmt::format("report: '{}:1': duplicate key 'status' in one JSON object", (dir / "results.jsonl").string()));
  fs::remove_all(dir);
  dir = sweep_folder("sweep-range", axes, "\n{\"index\": 0, \"status\": \"ok\", \"axes\": {\"param.m\": 1e400}}\n");
  CHECK_THAT(load_error({dir / "sweep.json"}),
             StartsWith(fmt::format("report: '{}:2': malformed JSON: a number out of range",
                                    (dir / "results.jsonl").string())));
  fs::remove_all(dir);
  dir = sweep_folder("sweep-deep", axes, fmt::format(R"({{"index": {}}})", std::string(300, '[')));
  CHECK(load_error({dir / "sweep.json"}) ==
        fmt::format("report: '{}:1': lists and objects nested more than 256 deep (line 1, column 266)",
                    (dir / "results.jsonl").string()));
  fs::remove_all(dir);
}

TEST_CASE("a sweep manifest and its rows are checked before the charts read them") {
  fs::path dir = sweep_folder("sweep-key", R"([{"key": 5}])", "");
  CHECK(load_error({dir / "sweep.json"}) ==
        fmt::format("report: results file '{}' 'axes[0].key' is not a string (got 5)", (dir / "sweep.json").string()));
  fs::remove_all(dir);
  dir = sweep_folder("sweep-outputs", R"([{"key": "param.m"}])", "", "[]");
  CHECK(load_error({dir / "sweep.json"}) ==
        fmt::format("report: results file '{}' is a sweep manifest with no outputs", (dir / "sweep.json").string()));
  fs::remove_all(dir);
  dir = sweep_folder("sweep-row", R"([{"key": "param.m"}])", R"({"index": 0, "status": 1, "axes": {}})");
  CHECK(load_error({dir / "sweep.json"}) ==
        fmt::format("report: '{}:1' is not a sweep result row (index, axes an object, status a string, outputs an "
                    "object)",
                    (dir / "results.jsonl").string()));
  fs::remove_all(dir);
  dir = sweep_folder(
      "sweep-value", R"([{"key": "param.m"}, {"key": "param.n"}])",
      R"({"index": 0, "status": "ok", "axes": {"param.m": 1e300, "param.n": true}, "outputs": {"time_us": 1}})");
  CHECK(report_error(dir / "sweep.json") ==
        "report: sweep point 0: param.n = true is not a number (the axis has no labels)");
  fs::remove_all(dir);
  // 1e300 and a labelled axis's value of another type are shown, not cast (casting 1e300 was undefined).
  dir = sweep_folder(
      "sweep-huge", R"([{"key": "param.m"}, {"key": "mode", "labels": ["a"]}])",
      R"({"index": 0, "status": "ok", "axes": {"param.m": 1e300, "mode": [1]}, "outputs": {"time_us": 1}})");
  CHECK(report_error(dir / "sweep.json") == "no error");
  fs::remove_all(dir);
}

// Found while seeding the report fuzz target: a trace summary without a field the
// charts read by name (categories.*.gpu_ops) failed an assertion in nlohmann::json.
TEST_CASE("a trace summary is checked for every field its charts read, and a wrong type is named with the file") {
  const fs::path dir = scratch("trace-summary");
  const std::string base = R"("kind": "hwsim_trace_prediction", "gpu": "h100-sxm", "measured_total_us": 100,
      "predicted_total_us": 90, "unmapped_share": 0.1, "per_kernel": {}, "iterations": [], "kernel_classes": [],
      "unmapped": [])";
  write(dir / "missing.json",
        fmt::format(R"({{{}, "categories": {{"gemm": {{"measured_us": 60, "predicted_us": 50}}}}}})", base));
  CHECK(load_error({dir / "missing.json"}) ==
        fmt::format("report: results file '{}' has no 'categories.gemm.gpu_ops'", (dir / "missing.json").string()));
  write(dir / "type.json", fmt::format(R"({{{}, "categories": {{}}, "trace": 5}})", base));
  CHECK(report_error(dir / "type.json") ==
        fmt::format("report: results file '{}' has a field of the wrong JSON type ([json.exception.type_error.302] "
                    "type must be string, but is number)",
                    (dir / "type.json").string()));
  fs::remove_all(dir);
}
