#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "reports/report_model.hpp"
#include "reports/roofline_chart.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

std::string measurement_line(const MeasurementProvenance& m) {
  std::string clocks;
  if (m.sm_clock_max_mhz > 0) {
    clocks = m.sm_clock_min_mhz == m.sm_clock_max_mhz
                 ? fmt::format("SM clock {:.0f} MHz", m.sm_clock_max_mhz)
                 : fmt::format("SM clock {:.0f}–{:.0f} MHz", m.sm_clock_min_mhz, m.sm_clock_max_mhz);
  } else {
    clocks = "SM clock not recorded";
  }
  if (m.mem_clock_mhz > 0) clocks += fmt::format(", memory clock {:.0f} MHz", m.mem_clock_mhz);
  std::string dates = m.first_date == m.last_date ? m.first_date : m.first_date + " to " + m.last_date;
  return fmt::format("{}, driver {}, CUDA {}; {}; measured {} ({} records)", m.gpu_name.empty() ? "?" : m.gpu_name,
                     m.driver.empty() ? "?" : m.driver, m.cuda.empty() ? "?" : m.cuda, clocks,
                     dates.empty() ? "on an unrecorded date" : dates, m.records);
}

// "total_us ranges from A (point i: axis=v, ...) to B (point j: ...) over N points."
std::string sweep_headline(const json& doc, const SweepChoices& choice) {
  const std::string out = choice.output.empty() ? doc["outputs"][0].get<std::string>() : choice.output;
  const json* lo = nullptr;
  const json* hi = nullptr;
  int ok = 0;
  for (const json& r : doc["rows"]) {
    if (r.value("status", "") != "ok" || !r["outputs"].contains(out)) continue;
    ++ok;
    if (!lo || r["outputs"][out].get<double>() < (*lo)["outputs"][out].get<double>()) lo = &r;
    if (!hi || r["outputs"][out].get<double>() > (*hi)["outputs"][out].get<double>()) hi = &r;
  }
  if (!lo) return "A sweep with no finished point.";
  auto where = [](const json& r) {
    std::string s;
    for (const auto& [k, v] : r["axes"].items())
      s += (s.empty() ? "" : ", ") + k + " = " +
           (v.is_string()   ? v.get<std::string>()
            : v.is_number() ? fmt::format("{:g}", v.get<double>())
                            : v.dump());
    return s;
  };
  return fmt::format("{} ranges from {:.4g} ({}) to {:.4g} ({}) over {} points.", out,
                     (*lo)["outputs"][out].get<double>(), where(*lo), (*hi)["outputs"][out].get<double>(), where(*hi),
                     ok);
}

}  // namespace

std::string build_of(const json& doc) {
  if (!doc.contains("hwsim") || !doc["hwsim"].is_object()) return "hwsim build not recorded";
  return fmt::format("hwsim {} (git {})", doc["hwsim"].value("version", "?"), doc["hwsim"].value("git", "?"));
}

std::vector<json> positional_encodings(const json& spec) {
  std::vector<json> out;
  if (!spec.is_object()) return out;
  if (spec.contains("encoding")) {
    for (const char* ch : {"x", "y"}) {
      if (spec["encoding"].contains(ch)) out.push_back(spec["encoding"][ch]);
    }
  }
  for (const char* list : {"layer", "concat", "hconcat", "vconcat"}) {
    if (!spec.contains(list)) continue;
    for (const json& sub : spec[list]) {
      auto more = positional_encodings(sub);
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  return out;
}

namespace {

// The body of build_report; `current` is the file whose sections are being built.
Report build_sections(const ResultSet& results, const ReportContext& ctx, const ResultFile*& current) {
  Report r;
  r.provenance.push_back(
      {"report", fmt::format("rendered by hwsim {} (git {}) on {}", ctx.hwsim_version, ctx.hwsim_git, ctx.date)});
  for (size_t i = 0; i < results.studies.size(); ++i) {
    const ResultFile& f = results.studies[i];
    current = &f;
    const json& s = f.doc;
    const std::string sfx = results.studies.size() > 1 ? fmt::format("-{}", i + 1) : "";
    if (i == 0) {
      const StudySummary sum = summarise_study(s);
      r.headline = sum.headline;
      r.why = sum.why;
      // The workloads the study measured: the layer, the training step, or both.
      const bool step = s.contains("step") && !s["step"]["proposals"].empty();
      std::string measured = s["workload"]["name"].get<std::string>();
      if (step) {
        const std::string step_name = s["step"]["workload"]["name"].get<std::string>();
        measured = s["proposals"].empty() ? step_name : measured + " and " + step_name;
      }
      r.title = fmt::format("hwsim: hardware proposals on {} ({})", measured,
                            s.value("gpu_display_name", s["gpu"].get<std::string>()));
    }
    const json& w = s["workload"];
    r.provenance.push_back({"study " + f.path.filename().string(),
                            fmt::format("{}; {} ({}); {} at {} tokens/GPU{}; timing model '{}'", build_of(s),
                                        s.value("gpu_display_name", "?"), s["gpu"].get<std::string>(),
                                        w["name"].get<std::string>(), w["tokens_per_gpu"].dump(),
                                        w.contains("routing") && w["routing"].is_string()
                                            ? ", " + w["routing"].get<std::string>() + " routing"
                                            : "",
                                        s.value("model", "?"))});
    if (s.contains("step")) {
      const json& sw = s["step"]["workload"];
      r.provenance.push_back(
          {"training step of " + f.path.filename().string(),
           fmt::format("{} on {} GPUs (PP{}, EP{}), {} micro-batches of {} tokens; timing model '{}'",
                       sw["name"].get<std::string>(), sw["gpus"].dump(), sw["pp"].dump(), sw["ep"].dump(),
                       sw.value("micro_batches", json(nullptr)).dump(), sw["tokens_per_gpu"].dump(),
                       s.value("model", "?"))});
    }
    r.configs.emplace_back("resolved config of " + f.path.filename().string(), s["config"]);
    auto secs = study_sections(f, results.kernels, sfx);
    for (auto& sec : secs) r.sections.push_back(std::move(sec));
  }
  if (results.studies.empty() && !results.kernels.empty()) {
    current = &results.kernels.front();
    r.headline = fmt::format("{} single-kernel result{} of `hwsim run`, placed on the roofline.",
                             results.kernels.size(), results.kernels.size() == 1 ? "" : "s");
    Section s{"roofline-runs", "Single kernels on the roofline", "", kernel_roofline_charts(results.kernels), {}};
    s.intro = "Kernels simulated one at a time with `hwsim run --json`.";
    r.sections.push_back(std::move(s));
    for (const ResultFile& k : results.kernels) {
      if (k.doc.contains("config"))
        r.configs.emplace_back("resolved config of " + k.path.filename().string(), k.doc["config"]);
    }
  }
  for (size_t i = 0; i < results.validations.size(); ++i) {
    const ResultFile& f = results.validations[i];
    current = &f;
    const std::string sfx = results.validations.size() > 1 ? fmt::format("-{}", i + 1) : "";
    r.provenance.push_back(
        {"validation " + f.path.filename().string(),
         fmt::format("model '{}', records from {}", f.doc.value("model", "?"), f.doc.value("data", "?"))});
    for (auto& sec : validation_sections(f, sfx)) r.sections.push_back(std::move(sec));
    if (r.headline.empty()) {
      const json& g = f.doc["gpus"].empty() ? json::object() : f.doc["gpus"][0];
      r.headline =
          fmt::format("Validation of the '{}' timing model: median |error| {:.1f}% over {} records on {}.",
                      f.doc.value("model", "?"), g.value("overall", json::object()).value("median_abs_pct", 0.0),
                      g.value("overall", json::object()).value("count", 0), g.value("gpu", "?"));
    }
  }
  for (const ResultFile& f : results.validations) {
    for (const json& g : f.doc["gpus"]) {
      bool any = false;
      for (const MeasurementProvenance& m : results.measurements) {
        if (m.gpu != g["gpu"]) continue;
        r.provenance.push_back({"measurements on " + m.gpu, measurement_line(m)});
        any = true;
      }
      if (!any) {
        r.provenance.push_back({"measurements on " + g["gpu"].get<std::string>(),
                                "GPU name, driver and clocks not recorded in the validation file (pass --data DIR to "
                                "read them from the measured records)"});
      }
    }
  }
  for (size_t i = 0; i < results.numerics.size(); ++i) {
    const ResultFile& f = results.numerics[i];
    current = &f;
    const std::string sfx = results.numerics.size() > 1 ? fmt::format("-{}", i + 1) : "";
    r.provenance.push_back({"numerics " + f.path.filename().string(), fmt::format("{} rows", f.doc["rows"].size())});
    for (auto& sec : numerics_sections(f, sfx)) r.sections.push_back(std::move(sec));
    if (r.headline.empty()) r.headline = "FP8 GEMM accumulation error against K, per accumulator model.";
  }
  for (size_t i = 0; i < results.sweeps.size(); ++i) {
    const ResultFile& f = results.sweeps[i];
    current = &f;
    const std::string sfx = results.sweeps.size() > 1 ? fmt::format("-{}", i + 1) : "";
    r.provenance.push_back(
        {"sweep " + f.path.parent_path().string(),
         fmt::format("{} points; simulated by hwsim {}", f.doc["rows"].size(), f.doc.value("simulator", "?"))});
    for (auto& sec : sweep_sections(f, ctx.sweep, sfx)) r.sections.push_back(std::move(sec));
    if (r.headline.empty()) r.headline = sweep_headline(f.doc, ctx.sweep);
    if (r.title.empty())
      r.title = fmt::format("hwsim sweep: {} on {}", f.doc.value("workload", "?"), f.doc.value("gpu", "?"));
  }
  for (size_t i = 0; i < results.traces.size(); ++i) {
    const ResultFile& f = results.traces[i];
    current = &f;
    const std::string sfx = results.traces.size() > 1 ? fmt::format("-{}", i + 1) : "";
    r.provenance.push_back({"trace prediction " + f.path.filename().string(),
                            fmt::format("{}; trace {} recorded on {}; mapping table '{}'; timing model '{}'",
                                        build_of(f.doc), f.doc.value("trace", "?"), f.doc.value("trace_gpu", "?"),
                                        f.doc.value("mapping_version", "?"), f.doc.value("model", "?"))});
    for (auto& sec : trace_sections(f, sfx)) r.sections.push_back(std::move(sec));
    if (r.headline.empty()) {
      r.headline = fmt::format("Your trace on {}: predicted {:.1f} µs against {:.1f} µs measured.",
                               f.doc["gpu"].get<std::string>(), f.doc["predicted_total_us"].get<double>(),
                               f.doc["measured_total_us"].get<double>());
    }
  }
  if (r.title.empty()) r.title = "hwsim report";
  std::string files;
  for (const std::string& in : results.inputs) files += (files.empty() ? "" : ", ") + in;
  r.provenance.push_back({"inputs", files});
  return r;
}

}  // namespace

Report build_report(const ResultSet& results, const ReportContext& ctx) {
  const ResultFile* current = nullptr;
  try {
    return build_sections(results, ctx, current);
  } catch (const json::exception& e) {
    // A field of a type the checks in results.cpp let through (an optional one, or one inside a list): named
    // with its file, not an internal error.
    throw Error(fmt::format("report: results file '{}' has a field of the wrong JSON type ({})",
                            current == nullptr ? std::string("?") : current->path.string(), e.what()));
  }
}

}  // namespace hwsim::reports
