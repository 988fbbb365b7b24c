#pragma once
// Measurement records (JSON Lines, one kernel per line) shared by hwbench's
// measurements, `hwsim predict` and `hwsim run --json`:
//   {"id", "gpu", "kernel", "params": {...}, "measured": {"time_us_median",
//    "time_us_min", "time_us_max", "reps"}, "implementation", "role":
//    "calibration|validation", "provenance": {...}}
// A record may carry "unsupported": "reason" instead of "measured" (a kernel
// the library could not run on that GPU). Reading checks the schema and names
// the file and line of the first problem.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hwsim {

struct MeasuredTime {
  double median_us = 0;
  double min_us = 0;
  double max_us = 0;
  int reps = 0;
};

struct Record {
  std::string file;  // where it was read, for messages
  int line = 0;
  nlohmann::json raw;  // the whole line, written back untouched by predict
  std::string id;
  std::string gpu;
  std::string kernel;
  std::string role;  // "calibration" or "validation"
  nlohmann::json params;
  std::optional<MeasuredTime> measured;  // absent when unsupported
  std::optional<std::string> unsupported;
  double sm_clock_mhz = 0;  // provenance, 0 when not recorded
  std::string regime;       // "sustained", "idle", "train", or empty (hwbench's flushed repetitions)
  // The launch param `regime` the record is predicted with (models/power/controller.hpp):
  // the regime with its "history" settings, e.g. "train:idle_before_ms=1000,launches=30,gap_us=0".
  std::string history;
  // The configuration the library ran, as kernel params (library_config.hpp),
  // and why it cannot be simulated when it cannot.
  nlohmann::json config = nlohmann::json::object();
  std::string config_error;
  // "configuration": "forced": the library was made to run a given tile and
  // cluster (hwbench --only gemm_forced), not its own choice; scored apart.
  bool forced_config = false;
};

// Reads one .jsonl file. Blank lines are skipped. Throws hwsim::Error naming
// "FILE:LINE" for malformed JSON or a record that breaks the schema.
std::vector<Record> read_records(const std::filesystem::path& file);

// Reads every *.jsonl file under `dir` (recursively, in sorted path order so
// results are deterministic), skipping folders named "numerics".
std::vector<Record> read_record_tree(const std::filesystem::path& dir);

// The class a record is scored in: the kernel kind, with GEMMs split by
// operand type and scaling ("gemm_bf16", "gemm_fp8_per_tensor",
// "gemm_fp8_block"); fast accumulation is one class with its sibling. SM
// subsets add "_sms<N>", the sustained regime "_sustained".
std::string kernel_class(const std::string& kernel, const nlohmann::json& params, const std::string& regime = "");

// The class a record is scored in: kernel_class(), and "_forced" for a
// forced configuration.
std::string record_class(const Record& r);

// A key identifying the same kernel and shape across GPUs (kernel + params, and
// the configuration when it was forced).
std::string shape_key(const Record& r);

}  // namespace hwsim
