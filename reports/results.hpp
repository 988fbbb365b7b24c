#pragma once
// Reading the result files a report is built from. Each file is recognised by
// its content: a top-level "kind" ("hwsim_study", "hwsim_numerics_error",
// "hwsim_kernel_result", "hwsim_trace_prediction"), or, for files written before kinds existed, by its
// shape ("gpus" = `hwsim validate --out`, "time_us" + "flops" + "bytes" =
// `hwsim run --json`). Every required field is checked once here, so the chart
// code can index the documents freely; errors name the file and the field.
// Contract: the documents returned satisfy the checks in results.cpp.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace hwsim::reports {

enum class ResultKind { study, validation, numerics, kernel, sweep, trace };

struct ResultFile {
  std::filesystem::path path;
  ResultKind kind;
  nlohmann::json doc;
};

// Measurement provenance of one GPU's validation records (GPU name, driver,
// CUDA, clocks, dates), one row per distinct (gpu_name, driver, cuda).
struct MeasurementProvenance {
  std::string gpu;  // the preset the records belong to ("h100-sxm")
  std::string gpu_name;
  std::string driver;
  std::string cuda;
  double sm_clock_min_mhz = 0;
  double sm_clock_max_mhz = 0;
  double mem_clock_mhz = 0;
  std::string first_date;
  std::string last_date;
  int records = 0;
};

struct ResultSet {
  std::vector<ResultFile> studies;
  std::vector<ResultFile> validations;
  std::vector<ResultFile> numerics;
  std::vector<ResultFile> kernels;
  // Sweep folders: sweep.json with its results.jsonl rows under "rows".
  std::vector<ResultFile> sweeps;
  std::vector<ResultFile> traces;  // `hwsim trace predict` summaries
  std::vector<MeasurementProvenance> measurements;
  std::vector<std::string> inputs;  // the files read, for the provenance block
};

// Reads every input: a .json file, or a folder whose *.json files (not its
// sub-folders) are read in sorted order. A file given by name must be a
// recognised result; in a folder, JSON files of another kind are skipped.
// Throws hwsim::Error naming the file when one is missing, is not valid JSON
// (with line and column), lacks a required field, or when nothing was found.
ResultSet load_results(std::span<const std::filesystem::path> inputs);

// Checks one parsed document and returns its kind; `name` is used in errors.
// Throws hwsim::Error when it is of no known kind or lacks a required field.
ResultKind classify_result(const nlohmann::json& doc, const std::string& name);

// Measurement provenance for the GPUs of the validation files: taken from a
// "provenance" list per GPU where the file has one, otherwise from the
// "provenance" objects of the records under data_dir/<gpu>/*.jsonl; with an
// empty data_dir, under the file's own "data" folder when it exists. Errors
// name the record file and line.
std::vector<MeasurementProvenance> measurement_provenance(std::span<const ResultFile> validations,
                                                          const std::filesystem::path& data_dir);

}  // namespace hwsim::reports
