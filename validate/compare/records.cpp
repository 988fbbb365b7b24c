#include "validate/compare/records.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "models/io/json_input.hpp"
#include "models/power/controller.hpp"
#include "models/spec/error.hpp"
#include "validate/compare/library_config.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// hwbench's flushed repetitions (validate/kernels/README.md, "Method"): 2
// warm-up and 25 timed launches, each after an L2 flush, as a train of 27
// launches 60 us apart (the flush reads 3x the L2 at HBM speed, ~50 us on the
// H100, plus the host's event synchronization), after the record's setup
// (buffers, random fills, the CPU reference check, the library's heuristic)
// left the GPU idle for ~100 ms. Both are assumptions about the harness, not
// measured per record; docs/validation.md.
const char* const kFlushedHistory = "train:idle_before_ms=100,launches=27,gap_us=60";

const nlohmann::json& require(const nlohmann::json& obj, const char* key, const std::string& where) {
  if (!obj.contains(key)) throw Error(fmt::format("{}: missing field '{}'", where, key));
  return obj.at(key);
}

std::string require_string(const nlohmann::json& obj, const char* key, const std::string& where) {
  const auto& v = require(obj, key, where);
  if (!v.is_string() || v.get<std::string>().empty()) {
    throw Error(fmt::format("{}: field '{}' must be a non-empty string", where, key));
  }
  return v.get<std::string>();
}

double require_positive(const nlohmann::json& obj, const char* key, const std::string& where) {
  const auto& v = require(obj, key, where);
  if (!v.is_number() || v.get<double>() <= 0) {
    throw Error(fmt::format("{}: field 'measured.{}' must be a number > 0", where, key));
  }
  return v.get<double>();
}

}  // namespace

namespace {

// The record's power history: "regime" (absent: hwbench's flushed repetitions)
// and its "history" settings, as the launch param `regime` takes them.
void read_regime(Record& r, const std::string& where) {
  if (!r.raw.contains("regime")) {
    if (r.raw.contains("history")) throw Error(where + ": field 'history' needs a field 'regime'");
    r.history = kFlushedHistory;
    return;
  }
  const auto& reg = r.raw["regime"];
  if (!reg.is_string() || (reg != "sustained" && reg != "idle" && reg != "train")) {
    throw Error(
        fmt::format("{}: field 'regime' must be \"sustained\" (back to back for seconds), \"idle\" (one "
                    "launch after idle time) or \"train\" (launches back to back after idle time), or "
                    "absent (flushed repetitions), got {}",
                    where, reg.dump()));
  }
  r.regime = reg.get<std::string>();
  std::string settings;
  if (r.raw.contains("history")) {
    const auto& h = r.raw["history"];
    if (!h.is_object()) throw Error(where + ": field 'history' must be an object");
    for (const char* key : {"idle_before_ms", "launches", "gap_us"}) {
      if (!h.contains(key)) continue;
      if (!h[key].is_number()) throw Error(fmt::format("{}: history.{} must be a number", where, key));
      if (r.regime == "idle" && std::string(key) != "idle_before_ms") continue;
      if (r.regime == "sustained") continue;
      settings += fmt::format("{}{}={}", settings.empty() ? ":" : ",", key, h[key].dump());
    }
  }
  r.history = r.regime + settings;
  parse_power_history(r.history, where + ": fields 'regime' and 'history'");
}

// One non-blank line of a records file.
Record parse_record(const std::string& text, const fs::path& file, int line) {
  const std::string where = fmt::format("{}:{}", file.string(), line);
  Record r;
  r.file = file.string();
  r.line = line;
  try {
    r.raw = parse_json_unique(text, where);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(fmt::format("{}: malformed JSON: {}", where, e.what()));
  }
  if (!r.raw.is_object()) throw Error(where + ": a record must be a JSON object");
  r.id = require_string(r.raw, "id", where);
  r.gpu = require_string(r.raw, "gpu", where);
  r.kernel = require_string(r.raw, "kernel", where);
  r.role = require_string(r.raw, "role", where);
  if (r.role != "calibration" && r.role != "validation") {
    throw Error(fmt::format("{}: field 'role' must be 'calibration' or 'validation', got '{}'", where, r.role));
  }
  r.params = require(r.raw, "params", where);
  if (!r.params.is_object()) throw Error(where + ": field 'params' must be an object");
  read_regime(r, where);
  if (r.raw.contains("configuration")) {
    if (r.raw["configuration"] != "forced")
      throw Error(
          fmt::format("{}: field 'configuration' must be \"forced\" (or absent: the library's own choice), "
                      "got {}",
                      where, r.raw["configuration"].dump()));
    r.forced_config = true;
  }
  LibraryConfig config = library_config(r.raw);
  r.config = std::move(config.params);
  r.config_error = std::move(config.error);
  if (r.raw.contains("unsupported")) {
    r.unsupported = r.raw["unsupported"].is_string() ? r.raw["unsupported"].get<std::string>() : "unsupported";
  } else {
    const auto& m = require(r.raw, "measured", where);
    if (!m.is_object()) throw Error(where + ": field 'measured' must be an object");
    MeasuredTime t;
    t.median_us = require_positive(m, "time_us_median", where);
    t.min_us = m.value("time_us_min", t.median_us);
    t.max_us = m.value("time_us_max", t.median_us);
    t.reps = m.value("reps", 0);
    if (t.min_us > t.median_us || t.median_us > t.max_us) {
      throw Error(where + ": measured times must satisfy time_us_min <= time_us_median <= time_us_max");
    }
    r.measured = t;
  }
  if (r.raw.contains("provenance") && r.raw["provenance"].is_object()) {
    const auto& p = r.raw["provenance"];
    if (p.contains("sm_clock_mhz") && p["sm_clock_mhz"].is_number()) r.sm_clock_mhz = p["sm_clock_mhz"];
  }
  return r;
}

}  // namespace

std::vector<Record> read_records(const fs::path& file) {
  if (fs::exists(file) && !fs::is_regular_file(file)) {
    throw Error(
        fmt::format("cannot read records file '{}': not a regular file (a folder, device or FIFO)", file.string()));
  }
  std::ifstream in(file);
  if (!in) throw Error(fmt::format("cannot read records file '{}'", file.string()));
  std::vector<Record> out;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back(parse_record(text, file, line));
    } catch (const nlohmann::json::type_error& e) {
      // A field of the wrong JSON type that no check above named.
      throw Error(fmt::format("{}:{}: a field has the wrong JSON type ({})", file.string(), line, e.what()));
    }
  }
  return out;
}

std::vector<Record> read_record_tree(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(fmt::format("records folder '{}' does not exist", dir.string()));
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    // numerics/: bit-level probes; dynamics/: one kernel timed under changing load
    // (the power controller's response), not kernel times the model predicts.
    if (it->is_directory() && (it->path().filename() == "numerics" || it->path().filename() == "dynamics")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".jsonl") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Record> all;
  for (const auto& f : files) {
    auto recs = read_records(f);
    all.insert(all.end(), std::make_move_iterator(recs.begin()), std::make_move_iterator(recs.end()));
  }
  return all;
}

std::string kernel_class(const std::string& kernel, const nlohmann::json& params, const std::string& regime) {
  std::string cls = kernel;
  // GEMMs are classed by operand type and scaling: gemm_bf16, gemm_fp8_block,
  // grouped_gemm_fp8_rowwise, ...
  if (kernel == "gemm" || kernel == "grouped_gemm") {
    const std::string a = params.value("a_dtype", "");
    const std::string scaling = params.value("scaling", "none");
    if (!a.starts_with("fp8")) {
      cls = kernel + "_" + a;
    } else if (scaling == "block_1x128_1x128") {
      cls = kernel + "_fp8_wgrad";  // both operands scaled per row, FP32 accumulated (training's weight gradient)
    } else if (scaling == "rowwise") {
      cls = kernel + "_fp8_rowwise";
    } else {
      cls = kernel + (scaling == "block_1x128_128x128" ? "_fp8_block" : "_fp8_per_tensor");
    }
  }
  // Kernels restricted to an SM subset (a green context) are a class of their own: the
  // step runs its compute on the SMs communication leaves.
  if (params.is_object() && params.contains("sms") && params["sms"].is_number_integer()) {
    cls += "_sms" + std::to_string(params["sms"].get<int>());
  }
  // Kernels run back to back for seconds (the power cap's slow response
  // settled) are scored apart from the flushed repetitions of the same kernels.
  if (!regime.empty()) cls += "_" + regime;
  return cls;
}

std::string record_class(const Record& r) {
  return kernel_class(r.kernel, r.params, r.regime) + (r.forced_config ? "_forced" : "");
}

std::string shape_key(const Record& r) {
  return r.kernel + " " + r.params.dump() + (r.regime.empty() ? "" : " " + r.regime) +
         (r.forced_config ? " " + r.config.dump() : "");
}

}  // namespace hwsim
