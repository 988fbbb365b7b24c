// hwsim predict: simulate every record of a JSON Lines file and write it back
// with "predicted". hwsim validate: score predictions against the committed
// measurements, per GPU and kernel class, and optionally a what-if pair.
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/predictors.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "validate/compare/predictor.hpp"
#include "validate/compare/validation.hpp"

namespace hwsim::cli {
namespace {

namespace fs = std::filesystem;

Option model_option() {
  return {"model", "NAME", fmt::format("timing model: {}", fmt::join(predictor_names(), ", ")),
          predictor_names().front()};
}

Option max_seconds_option() {
  return {"max-seconds-per-record", "S",
          "stop a record's simulation after S seconds and report it as timed out (not scored); in (0, 86400]",
          fmt::format("{}", kDefaultMaxSecondsPerRecord)};
}

Option jobs_option() { return {"jobs", "N", "GPUs simulated at once, one process each", "2", false, IntRange{1, 256}}; }

// Replaces the text between "<!-- BEGIN name -->" and "<!-- END name -->" in
// `text`, read from `doc` (both markers must exist).
void replace_doc_section(const fs::path& doc, std::string& text, const std::string& name, const std::string& body) {
  const std::string begin = "<!-- BEGIN " + name + " -->", end = "<!-- END " + name + " -->";
  const auto b = text.find(begin), e = text.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b) {
    throw Error(fmt::format("--update-doc {}: markers '{}' and '{}' not found", doc.string(), begin, end));
  }
  text.replace(b + begin.size(), e - b - begin.size(), "\n" + body + "\n");
}

// --update-doc's file, read before anything is simulated: a regular file (a FIFO once blocked the run at its
// end, for good) that holds the markers of every section the run will write (a missing one was found after the
// run, the sections before it already written). The sections are replaced in memory and the file written once.
std::string read_update_doc(const fs::path& doc, const std::vector<std::string>& sections) {
  std::error_code ec;
  const fs::file_status st = fs::status(doc, ec);
  if (!fs::exists(st)) throw Error(fmt::format("--update-doc {}: cannot read the file", doc.string()));
  if (!fs::is_regular_file(st)) {
    throw Error(fmt::format("--update-doc {}: not a regular file (a folder, device or FIFO)", doc.string()));
  }
  std::ifstream in(doc);
  if (!in) throw Error(fmt::format("--update-doc {}: cannot read the file", doc.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (const auto& name : sections) replace_doc_section(doc, text, name, "");
  return ss.str();
}

// The limit a gate sets for `gpu`: "PCT" applies to every GPU, "GPU=PCT" to
// that one (it wins over a plain value).
std::optional<double> gate_for(const std::vector<std::string>& values, const std::string& gpu, const char* option) {
  std::optional<double> all, mine;
  for (const auto& v : values) {
    const auto eq = v.find('=');
    const std::string num = eq == std::string::npos ? v : v.substr(eq + 1);
    char* end = nullptr;
    const double pct = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !std::isfinite(pct) || pct < 0) {  // NaN once passed every gate
      throw Error(fmt::format("--{} {}: expected PCT or GPU=PCT with PCT a finite number >= 0", option, v));
    }
    if (eq == std::string::npos)
      all = pct;
    else if (v.substr(0, eq) == gpu)
      mine = pct;
  }
  return mine ? mine : all;
}

// Every gate is checked before anything is simulated (a bad bound was found only after the whole run): its
// number (gate_for), the GPU of a GPU=PCT (one without records gated nothing), and --max-speedup-error, which
// takes one PCT and needs --whatif; so are --whatif's two GPUs.
void check_gates(const Args& a, const std::vector<Record>& records,
                 const std::optional<std::pair<std::string, std::string>>& whatif) {
  std::set<std::string> gpus;
  for (const auto& r : records) gpus.insert(r.gpu);
  const auto known = [&](const std::string& option, const std::string& value, const std::string& gpu) {
    if (!gpus.contains(gpu)) {
      throw Error(fmt::format("--{} {}: GPU '{}' has no records to score (GPUs scored: {})", option, value, gpu,
                              fmt::join(gpus, ", ")));
    }
  };
  for (const char* option : {"max-median-error", "max-class-error", "max-speedup-error"}) {
    for (const auto& v : a.all(option)) {
      (void)gate_for({v}, "", option);
      const auto eq = v.find('=');
      if (eq == std::string::npos) continue;
      if (std::string_view(option) == "max-speedup-error") {
        throw Error(
            fmt::format("--max-speedup-error {}: expected PCT, a finite number >= 0 (one bound for every "
                        "class of the --whatif comparison)",
                        v));
      }
      known(option, v, v.substr(0, eq));
    }
  }
  if (!a.all("max-speedup-error").empty() && !whatif) {
    throw Error(fmt::format("--max-speedup-error {}: a bound on the what-if speed-ups needs --whatif BASE:TARGET",
                            a.get("max-speedup-error")));
  }
  if (whatif) {
    const std::string w = whatif->first + ":" + whatif->second;
    known("whatif", w, whatif->first);
    known("whatif", w, whatif->second);
  }
}

// A misspelled or out-of-range --set stops the run before any simulation: the
// child processes would otherwise report it per record and the run would
// "succeed" over nothing. Errors of the GPU itself stay per-record errors.
void check_overrides(const std::vector<Record>& records, const std::vector<std::string>& overrides) {
  if (overrides.empty()) return;
  std::set<std::string> gpus;
  for (const Record& r : records) gpus.insert(r.gpu);
  for (const std::string& gpu : gpus) {
    try {
      load_gpu(gpu, overrides);
    } catch (const Error& e) {
      if (std::string_view(e.what()).starts_with("--set ")) throw;
    }
  }
}

// The records whose simulation process died (a signal or a failed exit): a
// fault of hwsim, never a per-record model limitation.
std::vector<size_t> crashed(const std::vector<Prediction>& predictions) {
  std::vector<size_t> out;
  for (size_t i = 0; i < predictions.size(); ++i) {
    if (predictions[i].crashed) out.push_back(i);
  }
  return out;
}

// The records whose simulation ran over --max-seconds-per-record, each named
// on stdout: they are per-record errors (predict) or not scored (validate).
std::vector<size_t> timed_out(const std::vector<Record>& records, const std::vector<Prediction>& predictions) {
  std::vector<size_t> out;
  for (size_t i = 0; i < predictions.size(); ++i) {
    if (!predictions[i].timed_out) continue;
    out.push_back(i);
    fmt::print("{}: {} (--max-seconds-per-record)\n", records[i].id, predictions[i].error);
  }
  return out;
}

// Gate breaches every validate run checks, --max-* given or not: a crash, or
// fewer than --min-scored percent of a GPU's measured validation records scored.
void check_coverage(const GpuValidation& v, double min_pct, std::vector<std::string>& breaches) {
  const size_t considered = v.overall.count + v.not_modelled.size();
  if (considered > 0 && 100.0 * v.overall.count < min_pct * considered) {
    breaches.push_back(fmt::format("{}: {} of {} measured validation records scored, fewer than --min-scored {}%",
                                   v.gpu, v.overall.count, considered, min_pct));
  }
}

// "FILE:LINE: " of a record, for the errors predict reports about it.
std::string where(const Record& r) { return fmt::format("{}:{}: ", r.file, r.line); }

}  // namespace

// --gemm-config: the GEMM configuration the records are simulated with.
Option gemm_config_option() {
  return {"gemm-config", "WHICH",
          "recorded: the tile and cluster each cuBLASLt record says the library ran; heuristic: the gemm kernel's own "
          "selection rule (docs/validation.md, \"The configuration that runs\")",
          "recorded"};
}

PredictOptions predict_options(const Args& a) {
  PredictOptions opt{a.all("set"), static_cast<int>(a.integer("jobs"))};
  const std::string which = a.get("gemm-config");
  if (which != "recorded" && which != "heuristic")
    throw Error(fmt::format("--gemm-config {}: expected recorded or heuristic", which));
  opt.library_config = which == "recorded";
  opt.max_seconds_per_record = a.number("max-seconds-per-record");
  if (!(opt.max_seconds_per_record > 0 && opt.max_seconds_per_record <= 86400)) {
    throw Error(fmt::format("--max-seconds-per-record {}: expected a number of seconds in (0, 86400]",
                            a.get("max-seconds-per-record")));
  }
  return opt;
}

Command predict_command() {
  Command c;
  c.name = "predict";
  c.summary = "simulate every record of a .jsonl file and write it back with its prediction";
  c.description =
      "Reads measurement records (JSON Lines, the validation record schema), simulates each record's kernel on its\n"
      "GPU, and writes every record back unchanged plus \"predicted\": {\"time_us\": x}, or \"error\": \"...\" when\n"
      "the model cannot run it (counted in the summary line). Exits non-zero for malformed input (naming the file\n"
      "and line), an empty file, a bad --set, when any record's simulation process crashed, or when no record\n"
      "could be predicted (each record's error is in --out).";
  c.options = {{"in", "FILE", "records to predict (.jsonl)", ""},
               {"out", "FILE", "where to write the records with predictions (.jsonl)", ""},
               model_option(),
               set_option(),
               jobs_option(),
               max_seconds_option(),
               gemm_config_option()};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    check_output_path(a.get("out"));  // refused before the simulations, not after
    const std::vector<Record> records = read_records(a.get("in"));
    if (records.empty()) throw Error(fmt::format("--in {}: the file holds no records", a.get("in")));
    const PredictOptions opt = predict_options(a);
    check_overrides(records, opt.overrides);
    const auto predictions = predict_records(records, predictor_factory(a.get("model"), result_cache_options(a)), opt);
    std::string out;
    int failed = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      nlohmann::json r = records[i].raw;
      if (predictions[i].time_us) {
        r["predicted"] = {{"time_us", *predictions[i].time_us}, {"model", a.get("model")}};
      } else {
        r["error"] = fmt::format("{}{}", where(records[i]), predictions[i].error);
        ++failed;
      }
      out += r.dump() + "\n";
    }
    write_file_atomic(a.get("out"), out);
    const std::vector<size_t> dead = crashed(predictions);
    const std::vector<size_t> slow = timed_out(records, predictions);
    fmt::print("predicted {} of {} records with the {} model -> {}; {} per-record errors, {} timed out, {} crashed\n",
               records.size() - failed, records.size(), a.get("model"), a.get("out"),
               failed - dead.size() - slow.size(), slow.size(), dead.size());
    if (!dead.empty()) {
      throw Error(fmt::format("predict: the simulations of {} of {} records crashed (first: {}{}: {})", dead.size(),
                              records.size(), where(records[dead[0]]), records[dead[0]].id,
                              predictions[dead[0]].error));
    }
    // A run that predicted nothing is no success (issue 20: one record with m = 2^40 "succeeded").
    if (static_cast<size_t>(failed) == records.size()) {
      throw Error(
          fmt::format("predict: none of the {} records could be predicted (first: {}{}: {}); each record's "
                      "error is in {}",
                      records.size(), where(records[0]), records[0].id, predictions[0].error, a.get("out")));
    }
    return 0;
  };
  return c;
}

Command validate_command() {
  Command c;
  c.name = "validate";
  c.summary = "score the model against the committed measurements of real GPUs";
  c.description =
      "Simulates every measured kernel under --data (one process per GPU) and reports, on validation records only,\n"
      "the median and mean absolute percentage error, the maximum, Pearson r and the counts within 5/10/20%, per\n"
      "kernel class and overall. --whatif BASE:TARGET compares the predicted speed-up of each kernel measured on both\n"
      "GPUs with the measured one. The --max-* options turn the run into a gate that exits 1 when a bound is broken;\n"
      "every run also fails when a simulation process crashed or fewer than --min-scored percent of a GPU's\n"
      "measured validation records were scored.";
  c.options = {{"data", "DIR", "folder of measured records (*.jsonl, one folder per GPU)", "validate/data"},
               model_option(),
               {"gpu", "NAME", "score only this GPU's records", ""},
               {"whatif", "BASE:TARGET", "also compare predicted and measured speed-ups, e.g. h100-sxm:h200-sxm", ""},
               {"out", "FILE", "write the results as JSON (for reports)", ""},
               {"update-doc", "FILE", "rewrite the marked sections of a Markdown file with the tables", ""},
               {"max-median-error", "[GPU=]PCT",
                "gate: a GPU's overall median |error| must not exceed PCT (every GPU without GPU=)", "", true},
               {"max-class-error", "[GPU=]PCT", "gate: every class's median |error| must not exceed PCT", "", true},
               {"max-speedup-error", "PCT", "gate: every class's what-if speed-up error must not exceed PCT", ""},
               {"min-scored", "PCT", "gate: each GPU's scored share of measured validation records", "50"},
               set_option(),
               jobs_option(),
               max_seconds_option(),
               gemm_config_option()};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (auto file = a.maybe("out")) check_output_path(*file);  // refused before the simulations, not after
    std::vector<Record> records = read_record_tree(a.get("data"));
    if (records.empty()) throw Error(fmt::format("--data {}: no records (*.jsonl) under it", a.get("data")));
    const double min_scored = a.number("min-scored");
    if (!(min_scored >= 0 && min_scored <= 100)) {
      throw Error(fmt::format("--min-scored {}: expected a percentage in [0, 100]", a.get("min-scored")));
    }
    if (auto only = a.maybe("gpu")) {
      std::erase_if(records, [&](const Record& r) { return r.gpu != *only; });
      if (records.empty()) throw Error(fmt::format("--gpu {}: no records of that GPU under {}", *only, a.get("data")));
    }
    std::optional<std::pair<std::string, std::string>> whatif;
    if (auto w = a.maybe("whatif")) {
      const auto colon = w->find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == w->size()) {
        throw Error(fmt::format("--whatif {}: expected BASE:TARGET, e.g. h100-sxm:h200-sxm", *w));
      }
      whatif = {w->substr(0, colon), w->substr(colon + 1)};
    }
    check_gates(a, records, whatif);
    std::optional<std::string> doc_text;
    if (auto doc = a.maybe("update-doc")) {
      std::set<std::string> sections_of;
      for (const auto& r : records) sections_of.insert("validation " + r.gpu);
      std::vector<std::string> sections(sections_of.begin(), sections_of.end());
      if (whatif) sections.push_back("whatif " + whatif->first + ":" + whatif->second);
      doc_text = read_update_doc(*doc, sections);
    }
    const PredictOptions opt = predict_options(a);
    check_overrides(records, opt.overrides);
    const auto predictions = predict_records(records, predictor_factory(a.get("model"), result_cache_options(a)), opt);

    std::vector<std::string> breaches;
    timed_out(records, predictions);  // named here; scored as not modelled below
    if (const auto dead = crashed(predictions); !dead.empty()) {
      breaches.push_back(fmt::format("the simulations of {} records crashed (first: {}: {})", dead.size(),
                                     records[dead[0]].id, predictions[dead[0]].error));
    }
    std::set<std::string> gpus;
    for (const auto& r : records) gpus.insert(r.gpu);
    nlohmann::json out = {{"model", a.get("model")},
                          {"data", a.get("data")},
                          {"gemm_config", a.get("gemm-config")},
                          {"gpus", nlohmann::json::array()}};
    for (const auto& gpu : gpus) {
      const GpuValidation v = score_gpu(gpu, records, predictions);
      fmt::print("{}\n", render_table(v));
      for (const auto& [id, why] : v.not_modelled) fmt::print("  not modelled: {}: {}\n", id, why);
      out["gpus"].push_back(to_json(v));
      check_coverage(v, min_scored, breaches);
      if (doc_text) replace_doc_section(a.get("update-doc"), *doc_text, "validation " + gpu, render_markdown(v));
      if (auto lim = gate_for(a.all("max-median-error"), gpu, "max-median-error");
          lim && v.overall.count > 0 && v.overall.median_abs_pct > *lim) {
        breaches.push_back(fmt::format("{} overall median |error| {:.1f}% > {}%", gpu, v.overall.median_abs_pct, *lim));
      }
      if (auto lim = gate_for(a.all("max-class-error"), gpu, "max-class-error")) {
        for (const auto& [cls, s] : v.classes) {
          if (s.median_abs_pct > *lim) {
            breaches.push_back(
                fmt::format("{} class {} median |error| {:.1f}% > {}%", gpu, cls, s.median_abs_pct, *lim));
          }
        }
      }
    }
    if (whatif) {
      const WhatIfComparison w = compare_whatif(whatif->first, whatif->second, records, predictions);
      fmt::print("{}\n", render_table(w));
      out["whatif"] = to_json(w);
      if (doc_text) {
        replace_doc_section(a.get("update-doc"), *doc_text, "whatif " + whatif->first + ":" + whatif->second,
                            render_markdown(w));
      }
      if (w.rows.size() <= 1) breaches.push_back("what-if: no kernel was measured on both GPUs");
      if (auto lim = gate_for(a.all("max-speedup-error"), "", "max-speedup-error")) {
        for (const auto& r : w.rows) {
          if (r.error_pct > *lim) {
            breaches.push_back(
                fmt::format("what-if class {} speed-up error {:.1f}% > {}%", r.kernel_class, r.error_pct, *lim));
          }
        }
      }
    }
    if (auto file = a.maybe("out")) write_file_atomic(*file, out.dump(2) + "\n");
    if (doc_text) write_file_atomic(a.get("update-doc"), *doc_text);
    if (!breaches.empty()) {
      throw Error(fmt::format("validation gate failed: {}", fmt::join(breaches, "; ")));
    }
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
