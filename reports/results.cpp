#include "reports/results.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "models/io/json_input.hpp"
#include "models/spec/error.hpp"

namespace hwsim::reports {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Checks the fields a report reads; `where` is the dotted path for messages.
class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("report: results file '{}' {}", file_, what));
  }
  const json& field(const json& obj, const std::string& where, const std::string& key) const {
    if (!obj.is_object() || !obj.contains(key)) fail(fmt::format("has no '{}'", join(where, key)));
    return obj.at(key);
  }
  void number(const json& obj, const std::string& where, const std::string& key) const {
    const json& v = field(obj, where, key);
    if (!v.is_number()) fail(fmt::format("'{}' is not a number (got {})", join(where, key), v.dump()));
  }
  void string(const json& obj, const std::string& where, const std::string& key) const {
    const json& v = field(obj, where, key);
    if (!v.is_string()) fail(fmt::format("'{}' is not a string (got {})", join(where, key), v.dump()));
  }
  const json& array(const json& obj, const std::string& where, const std::string& key) const {
    const json& v = field(obj, where, key);
    if (!v.is_array()) fail(fmt::format("'{}' is not a list", join(where, key)));
    return v;
  }
  const json& object(const json& obj, const std::string& where, const std::string& key) const {
    const json& v = field(obj, where, key);
    if (!v.is_object()) fail(fmt::format("'{}' is not an object", join(where, key)));
    return v;
  }

 private:
  static std::string join(const std::string& where, const std::string& key) {
    return where.empty() ? key : where + "." + key;
  }
  std::string file_;
};

void check_kernels(const Checker& c, const json& owner, const std::string& where) {
  const json& ks = c.array(owner, where, "kernels");
  for (size_t i = 0; i < ks.size(); ++i) {
    const std::string w = fmt::format("{}.kernels[{}]", where, i);
    for (const char* s : {"name", "phase", "kind"}) c.string(ks[i], w, s);
    for (const char* n : {"count", "time_us", "flops", "hbm_bytes"}) c.number(ks[i], w, n);
  }
}

// The step-level part of a study (step_study.hpp): the training step with the
// baseline communication and with each communication proposal.
void check_step(const Checker& c, const json& d) {
  const json& st = c.object(d, "", "step");
  c.object(st, "step", "workload");
  c.string(st["workload"], "step.workload", "name");
  for (const char* n : {"gpus", "pp", "ep", "tokens_per_gpu"}) c.number(st["workload"], "step.workload", n);
  c.object(st, "step", "baseline");
  for (const char* n : {"step_s", "f_and_b_s", "comm_sms", "dispatch_us", "combine_us"}) {
    c.number(st["baseline"], "step.baseline", n);
  }
  const json& ps = c.array(st, "step", "proposals");
  for (size_t i = 0; i < ps.size(); ++i) {
    const std::string w = fmt::format("step.proposals[{}]", i);
    for (const char* n : {"name", "title", "summary"}) c.string(ps[i], w, n);
    for (const char* n : {"step_s", "speedup", "f_and_b_s", "comm_sms", "dispatch_us", "combine_us"}) {
      c.number(ps[i], w, n);
    }
    const json& sens = c.array(ps[i], w, "sensitivity");
    for (size_t j = 0; j < sens.size(); ++j) {
      const std::string w3 = fmt::format("{}.sensitivity[{}]", w, j);
      c.string(sens[j], w3, "parameter");
      c.string(sens[j], w3, "unit");
      const json& pts = c.array(sens[j], w3, "points");
      for (size_t k = 0; k < pts.size(); ++k) {
        for (const char* n : {"value", "step_s", "speedup"}) c.number(pts[k], fmt::format("{}.points[{}]", w3, k), n);
      }
    }
  }
}

void check_study(const Checker& c, const json& d) {
  // "hwsim" {version, git} is in the contract but optional: captions say "not recorded" without it.
  if (d.contains("hwsim")) c.object(d, "", "hwsim");
  c.string(d, "", "gpu");
  c.object(d, "", "workload");
  c.string(d["workload"], "workload", "name");
  c.number(d["workload"], "workload", "tokens_per_gpu");
  c.object(d, "", "baseline");
  c.number(d["baseline"], "baseline", "total_us");
  check_kernels(c, d["baseline"], "baseline");
  const json& ps = c.array(d, "", "proposals");
  // Layer-level proposals, step-level ones (under "step"), or both.
  if (d.contains("step")) check_step(c, d);
  if (ps.empty() && (!d.contains("step") || d["step"]["proposals"].empty())) {
    c.fail("has an empty 'proposals' list and no step-level proposals");
  }
  for (size_t i = 0; i < ps.size(); ++i) {
    const std::string w2 = fmt::format("proposals[{}]", i);
    for (const char* s : {"name", "title", "summary"}) c.string(ps[i], w2, s);
    for (const char* n : {"total_us", "speedup"}) c.number(ps[i], w2, n);
    check_kernels(c, ps[i], w2);
    const json& tc = c.array(ps[i], w2, "top_contributors");
    for (size_t j = 0; j < tc.size(); ++j) {
      c.string(tc[j], fmt::format("{}.top_contributors[{}]", w2, j), "name");
      c.number(tc[j], fmt::format("{}.top_contributors[{}]", w2, j), "saved_us");
    }
    const json& sens = c.array(ps[i], w2, "sensitivity");
    for (size_t j = 0; j < sens.size(); ++j) {
      const std::string w3 = fmt::format("{}.sensitivity[{}]", w2, j);
      c.string(sens[j], w3, "parameter");
      c.string(sens[j], w3, "unit");
      const json& pts = c.array(sens[j], w3, "points");
      for (size_t k = 0; k < pts.size(); ++k) {
        for (const char* n : {"value", "total_us", "speedup"}) c.number(pts[k], fmt::format("{}.points[{}]", w3, k), n);
      }
    }
  }
  c.object(d, "", "config");
}

void check_validation(const Checker& c, const json& d) {
  const json& gpus = c.array(d, "", "gpus");
  for (size_t i = 0; i < gpus.size(); ++i) {
    const std::string w = fmt::format("gpus[{}]", i);
    c.string(gpus[i], w, "gpu");
    c.object(gpus[i], w, "overall");
    c.object(gpus[i], w, "classes");
    const json& pts = c.array(gpus[i], w, "points");
    for (size_t k = 0; k < pts.size(); ++k) {
      const std::string wp = fmt::format("{}.points[{}]", w, k);
      c.string(pts[k], wp, "id");
      c.string(pts[k], wp, "class");
      c.number(pts[k], wp, "measured_us");
      c.number(pts[k], wp, "predicted_us");
    }
  }
}

void check_numerics(const Checker& c, const json& d) {
  const json& rows = c.array(d, "", "rows");
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string w = fmt::format("rows[{}]", i);
    c.number(rows[i], w, "k");
    if (!rows[i].contains("model") && !rows[i].contains("accumulator")) {
      c.fail(fmt::format("has no '{}.accumulator'", w));
    }
    // `hwsim numerics error --json` writes max_rel/mean_rel; the report contract spelled them *_rel_error.
    for (const std::string n : {"max_rel", "mean_rel"}) c.number(rows[i], w, rows[i].contains(n) ? n : n + "_error");
  }
}

// `hwsim numerics error --json` has no kind: rows of {k, accumulator, max_rel, ...}.
bool looks_like_numerics(const json& d) {
  if (!d.contains("rows") || !d["rows"].is_array() || d["rows"].empty() || !d["rows"][0].is_object()) return false;
  const json& r = d["rows"][0];
  return r.contains("k") && (r.contains("accumulator") || r.contains("model")) &&
         (r.contains("max_rel") || r.contains("max_rel_error"));
}

void check_kernel(const Checker& c, const json& d) {
  c.number(d, "", "time_us");
  c.number(d, "", "flops");
  c.object(d, "", "bytes");
  c.string(d, "", "gpu");
  c.string(d, "", "kernel");
}

// `hwsim trace predict`'s summary.json (workloads/trace/trace_outputs.cpp):
// every field charts_trace.cpp reads by name.
void check_trace(const Checker& c, const json& d) {
  for (const char* n : {"measured_total_us", "predicted_total_us", "unmapped_share"}) c.number(d, "", n);
  c.string(d, "", "gpu");
  if (d.contains("baseline_gpu")) c.string(d, "", "baseline_gpu");
  c.object(d, "", "per_kernel");
  for (const auto& [name, cat] : c.object(d, "", "categories").items()) {
    const std::string w = fmt::format("categories.{}", name);
    for (const char* n : {"gpu_ops", "measured_us", "predicted_us"}) c.number(cat, w, n);
  }
  const auto each = [&](const char* list, std::initializer_list<const char*> numbers,
                        std::initializer_list<const char*> fields) {
    if (!d.contains(list) || !d[list].is_array()) c.fail(fmt::format("has no array '{}'", list));
    for (size_t i = 0; i < d[list].size(); ++i) {
      const std::string w = fmt::format("{}[{}]", list, i);
      for (const char* n : numbers) c.number(d[list][i], w, n);
      for (const char* n : fields) c.field(d[list][i], w, n);
    }
  };
  each("kernel_classes", {"measured_us", "predicted_us"}, {"kernel", "params", "op", "category", "gpu_ops"});
  each("iterations", {"measured_us", "predicted_us"}, {"name", "gpu_ops"});
  each("unmapped", {"measured_us"}, {"op", "reason", "gpu_ops"});
}

json parse_file(const fs::path& path) {
  require_regular_input(path, fmt::format("report: results file '{}'", path.string()));  // a FIFO: read for good
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("report: results file '{}' {}", path.string(),
                            fs::exists(path) ? "cannot be read" : "does not exist"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  try {
    return parse_json_unique(text, "report: results file '" + path.string() + "'");
  } catch (const json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into line and column.
    const size_t at = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    const size_t bol = text.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t col = at - (bol == std::string::npos ? 0 : bol + 1) + 1;
    std::string why = e.what();
    if (auto p = why.find("parse error"); p != std::string::npos) why = why.substr(p);
    throw Error(fmt::format("report: results file '{}' is not valid JSON at line {}, column {}: {}", path.string(),
                            line, col, why));
  }
}

// sweep.json (apps/hwsim/sweep/sweep_runner.cpp): the axes by key, the
// outputs by name (at least one: the charts show the first), the points.
void check_sweep(const Checker& c, const json& d) {
  for (const char* k : {"axes", "outputs", "points"})
    if (!d.contains(k) || !d[k].is_array()) c.fail(fmt::format("is a sweep manifest without '{}'", k));
  for (size_t i = 0; i < d["axes"].size(); ++i) c.string(d["axes"][i], fmt::format("axes[{}]", i), "key");
  if (d["outputs"].empty()) c.fail("is a sweep manifest with no outputs");
  for (size_t i = 0; i < d["outputs"].size(); ++i) {
    if (!d["outputs"][i].is_string()) c.fail(fmt::format("'outputs[{}]' is not a string", i));
  }
  for (const char* k : {"gpu", "workload", "sampling", "simulator"}) {
    if (d.contains(k)) c.string(d, "", k);
  }
}

// A sweep folder's results.jsonl (written by sweep run and sweep collect).
json sweep_rows(const fs::path& dir) {
  const fs::path file = dir / "results.jsonl";
  require_regular_input(file, fmt::format("report: '{}'", file.string()));
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("report: sweep folder '{}' has no results.jsonl (run hwsim sweep collect {})", dir.string(),
                            dir.string()));
  json rows = json::array();
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      // The strict reader, as for every other input: a key given twice, a number beyond a double and
      // nesting beyond 256 are errors naming the line, not a silent choice or an internal error.
      rows.push_back(parse_json_unique(line, fmt::format("report: '{}:{}'", file.string(), n)));
    } catch (const json::parse_error& e) {
      throw Error(fmt::format("report: '{}:{}' is not valid JSON: {}", file.string(), n, e.what()));
    }
    const json& r = rows.back();
    if (!r.is_object() || !r.contains("axes") || !r.contains("status") || !r.contains("index") ||
        !r["axes"].is_object() || !r["status"].is_string() || (r.contains("outputs") && !r["outputs"].is_object()))
      throw Error(fmt::format(
          "report: '{}:{}' is not a sweep result row (index, axes an object, status a string, outputs an object)",
          file.string(), n));
  }
  return rows;
}

}  // namespace

ResultKind classify_result(const json& doc, const std::string& name) {
  const Checker c(name);
  if (!doc.is_object()) c.fail("is not a JSON object");
  if (doc.contains("kind")) {
    const std::string kind = doc["kind"].is_string() ? doc["kind"].get<std::string>() : doc["kind"].dump();
    if (kind == "hwsim_study") return check_study(c, doc), ResultKind::study;
    if (kind == "hwsim_numerics_error") return check_numerics(c, doc), ResultKind::numerics;
    if (kind == "hwsim_kernel_result") return check_kernel(c, doc), ResultKind::kernel;
    if (kind == "hwsim_trace_prediction") return check_trace(c, doc), ResultKind::trace;
    c.fail(
        fmt::format("has unknown kind '{}' (expected hwsim_study, hwsim_numerics_error, hwsim_kernel_result or "
                    "hwsim_trace_prediction)",
                    kind));
  }
  if (doc.contains("hwsim_sweep")) return check_sweep(c, doc), ResultKind::sweep;
  if (doc.contains("gpus")) return check_validation(c, doc), ResultKind::validation;
  if (looks_like_numerics(doc)) return check_numerics(c, doc), ResultKind::numerics;
  if (doc.contains("time_us") && doc.contains("flops") && doc.contains("bytes")) {
    return check_kernel(c, doc), ResultKind::kernel;
  }
  c.fail("is not an hwsim result (no 'kind', and neither a validation file with 'gpus' nor a kernel result)");
}

ResultSet load_results(std::span<const fs::path> inputs) {
  if (inputs.empty()) throw Error("report: no results given (pass result folders or .json files)");
  ResultSet set;
  auto add = [&](const fs::path& p, bool named) {
    json doc = parse_file(p);
    ResultKind kind;
    if (named) {
      kind = classify_result(doc, p.string());
    } else {
      // In a folder, only files that claim to be results are checked.
      const bool claims =
          doc.is_object() && (doc.contains("kind") || doc.contains("gpus") || doc.contains("hwsim_sweep") ||
                              (doc.contains("time_us") && doc.contains("flops")) || looks_like_numerics(doc));
      if (!claims) return;
      kind = classify_result(doc, p.string());
    }
    set.inputs.push_back(p.string());
    ResultFile f{p, kind, std::move(doc)};
    switch (kind) {
      case ResultKind::study:
        set.studies.push_back(std::move(f));
        break;
      case ResultKind::validation:
        set.validations.push_back(std::move(f));
        break;
      case ResultKind::numerics:
        set.numerics.push_back(std::move(f));
        break;
      case ResultKind::kernel:
        set.kernels.push_back(std::move(f));
        break;
      case ResultKind::sweep:
        f.doc["rows"] = sweep_rows(p.parent_path());
        set.sweeps.push_back(std::move(f));
        break;
      case ResultKind::trace:
        set.traces.push_back(std::move(f));
        break;
    }
  };
  for (const fs::path& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(in, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
      }
      if (ec) throw Error(fmt::format("report: cannot list results folder '{}': {}", in.string(), ec.message()));
      std::sort(files.begin(), files.end());
      const size_t before = set.inputs.size();
      for (const auto& f : files) add(f, false);
      if (set.inputs.size() == before) {
        throw Error(fmt::format("report: results folder '{}' holds no hwsim result files (*.json)", in.string()));
      }
    } else {
      add(in, true);
    }
  }
  return set;
}

std::vector<MeasurementProvenance> measurement_provenance(std::span<const ResultFile> validations,
                                                          const fs::path& data_dir) {
  // Key: (preset, gpu_name, driver, cuda) so a driver change shows as two rows.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, MeasurementProvenance> rows;
  auto take = [&](const std::string& gpu, const json& p) {
    auto str = [&](const char* k) { return p.contains(k) && p[k].is_string() ? p[k].get<std::string>() : ""; };
    auto num = [&](const char* k) { return p.contains(k) && p[k].is_number() ? p[k].get<double>() : 0.0; };
    MeasurementProvenance& m = rows[{gpu, str("gpu_name"), str("driver"), str("cuda")}];
    m.gpu = gpu;
    m.gpu_name = str("gpu_name");
    m.driver = str("driver");
    m.cuda = str("cuda");
    const double sm = num("sm_clock_mhz");
    if (sm > 0) {
      m.sm_clock_min_mhz = m.sm_clock_min_mhz == 0 ? sm : std::min(m.sm_clock_min_mhz, sm);
      m.sm_clock_max_mhz = std::max(m.sm_clock_max_mhz, sm);
    }
    m.mem_clock_mhz = std::max(m.mem_clock_mhz, num("mem_clock_mhz"));
    const std::string date = str("date");
    if (!date.empty() && (m.first_date.empty() || date < m.first_date)) m.first_date = date;
    if (date > m.last_date) m.last_date = date;
    ++m.records;
  };
  for (const ResultFile& v : validations) {
    for (const json& g : v.doc["gpus"]) {
      const std::string gpu = g["gpu"];
      if (g.contains("provenance") && g["provenance"].is_array()) {
        for (const json& p : g["provenance"]) take(gpu, p);
        continue;
      }
      // Without --data, the folder the validation was run on (its "data" field), if it is here.
      fs::path root = data_dir;
      if (root.empty() && v.doc.contains("data") && v.doc["data"].is_string()) root = v.doc["data"].get<std::string>();
      if (root.empty()) continue;
      const fs::path dir = root / gpu;
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) continue;
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".jsonl") files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        std::ifstream in(f);
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
          if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
          json r;
          try {
            r = parse_json_unique(line, fmt::format("report: measured records '{}:{}'", f.string(), n));
          } catch (const json::parse_error& e) {
            throw Error(
                fmt::format("report: measured records '{}:{}' are not valid JSON: {}", f.string(), n, e.what()));
          }
          if (r.contains("provenance") && r["provenance"].is_object()) take(gpu, r["provenance"]);
        }
      }
    }
  }
  std::vector<MeasurementProvenance> out;
  for (auto& [k, m] : rows) out.push_back(std::move(m));
  return out;
}

}  // namespace hwsim::reports
