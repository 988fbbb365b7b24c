#include "validate/compare/validation.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hwsim {
namespace {

double geomean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::log(x);
  return v.empty() ? 0 : std::exp(s / static_cast<double>(v.size()));
}

SpeedupRow speedup_row(const std::string& cls, const std::vector<double>& measured,
                       const std::vector<double>& predicted) {
  SpeedupRow r;
  r.kernel_class = cls;
  r.count = static_cast<int>(measured.size());
  r.measured = geomean(measured);
  r.predicted = geomean(predicted);
  r.error_pct = r.measured > 0 ? 100.0 * std::fabs(r.predicted / r.measured - 1.0) : 0;
  return r;
}

}  // namespace

GpuValidation score_gpu(const std::string& gpu, const std::vector<Record>& records,
                        const std::vector<Prediction>& predictions) {
  GpuValidation v;
  v.gpu = gpu;
  std::vector<double> all_p, all_m;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_class;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    if (r.gpu != gpu || r.role != "validation") continue;
    if (r.kernel.starts_with("ubench_")) {
      ++v.microbenchmarks;
      continue;
    }
    if (!r.measured) {
      ++v.unsupported;
      continue;
    }
    if (!predictions[i].time_us) {
      v.not_modelled.emplace_back(r.id, predictions[i].error);
      continue;
    }
    const std::string cls = record_class(r);
    const double p = *predictions[i].time_us;
    const double m = r.measured->median_us;
    v.points.push_back({r.id, cls, m, p, r.sm_clock_mhz});
    all_p.push_back(p);
    all_m.push_back(m);
    by_class[cls].first.push_back(p);
    by_class[cls].second.push_back(m);
  }
  v.overall = error_stats(all_p, all_m);
  for (const auto& [cls, pm] : by_class) v.classes[cls] = error_stats(pm.first, pm.second);
  return v;
}

WhatIfComparison compare_whatif(const std::string& base, const std::string& target, const std::vector<Record>& records,
                                const std::vector<Prediction>& predictions) {
  WhatIfComparison w;
  w.base = base;
  w.target = target;
  std::map<std::string, size_t> base_index;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].gpu == base && records[i].measured && predictions[i].time_us) base_index[shape_key(records[i])] = i;
  }
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_class;
  std::vector<double> all_m, all_p;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& t = records[i];
    if (t.gpu != target || !t.measured || !predictions[i].time_us) continue;
    auto it = base_index.find(shape_key(t));
    if (it == base_index.end()) continue;
    const Record& b = records[it->second];
    const double m = b.measured->median_us / t.measured->median_us;
    const double p = *predictions[it->second].time_us / *predictions[i].time_us;
    const std::string cls = record_class(t);
    w.points.push_back({shape_key(t), cls, m, p});
    by_class[cls].first.push_back(m);
    by_class[cls].second.push_back(p);
    all_m.push_back(m);
    all_p.push_back(p);
  }
  for (const auto& [cls, mp] : by_class) w.rows.push_back(speedup_row(cls, mp.first, mp.second));
  w.rows.push_back(speedup_row("overall", all_m, all_p));
  return w;
}

nlohmann::json to_json(const GpuValidation& v) {
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& [cls, s] : v.classes) classes[cls] = to_json(s);
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : v.points) {
    points.push_back({{"id", p.id},
                      {"class", p.kernel_class},
                      {"measured_us", p.measured_us},
                      {"predicted_us", p.predicted_us},
                      {"sm_clock_mhz", p.sm_clock_mhz}});
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& [id, why] : v.not_modelled) missing.push_back({{"id", id}, {"error", why}});
  return {{"gpu", v.gpu},
          {"overall", to_json(v.overall)},
          {"classes", classes},
          {"points", points},
          {"not_modelled", missing},
          {"unsupported_on_gpu", v.unsupported},
          {"microbenchmarks_not_scored", v.microbenchmarks}};
}

nlohmann::json to_json(const WhatIfComparison& w) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : w.rows) {
    rows.push_back({{"class", r.kernel_class},
                    {"count", r.count},
                    {"measured_speedup", r.measured},
                    {"predicted_speedup", r.predicted},
                    {"error_pct", r.error_pct}});
  }
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : w.points) {
    points.push_back({{"shape", p.shape},
                      {"class", p.kernel_class},
                      {"measured_speedup", p.measured},
                      {"predicted_speedup", p.predicted}});
  }
  return {{"base", w.base}, {"target", w.target}, {"classes", rows}, {"points", points}};
}

std::string render_table(const GpuValidation& v) {
  std::string out = fmt::format(
      "{}: {} validation records scored, {} not modelled, {} unsupported on the GPU, {} microbenchmarks not scored\n",
      v.gpu, v.overall.count, v.not_modelled.size(), v.unsupported, v.microbenchmarks);
  out += fmt::format("  {:<22} {:>5} {:>9} {:>9} {:>9} {:>9} {:>7} {:>6} {:>6} {:>6}\n", "class", "n", "median|e|",
                     "mean|e|", "max|e|", "median e", "r", "<=5%", "<=10%", "<=20%");
  auto row = [&](const std::string& name, const ErrorStats& s) {
    out += fmt::format("  {:<22} {:>5} {:>8.1f}% {:>8.1f}% {:>8.1f}% {:>+8.1f}% {:>7.3f} {:>6} {:>6} {:>6}\n", name,
                       s.count, s.median_abs_pct, s.mean_abs_pct, s.max_abs_pct, s.median_signed_pct, s.pearson_r,
                       s.within_5, s.within_10, s.within_20);
  };
  for (const auto& [cls, s] : v.classes) row(cls, s);
  row("overall", v.overall);
  return out;
}

std::string render_markdown(const GpuValidation& v) {
  std::string out = fmt::format(
      "{} validation records of `{}` scored ({} not modelled, {} unsupported by the library on this GPU). "
      "Error e = (predicted - measured) / measured; e > 0 means the model is slower than the GPU.\n\n",
      v.overall.count, v.gpu, v.not_modelled.size(), v.unsupported);
  out +=
      "| class | n | median abs e | mean abs e | max abs e | median e | Pearson r | within 5% | within 10% | within "
      "20% |\n";
  out += "|---|---|---|---|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const ErrorStats& s) {
    out += fmt::format("| {} | {} | {:.1f}% | {:.1f}% | {:.1f}% | {:+.1f}% | {:.3f} | {} | {} | {} |\n", name, s.count,
                       s.median_abs_pct, s.mean_abs_pct, s.max_abs_pct, s.median_signed_pct, s.pearson_r, s.within_5,
                       s.within_10, s.within_20);
  };
  for (const auto& [cls, s] : v.classes) row(cls, s);
  row("**overall**", v.overall);
  return out;
}

std::string render_table(const WhatIfComparison& w) {
  std::string out = fmt::format("what-if {} -> {}: speed-up = time on {} / time on {} (geometric mean per class)\n",
                                w.base, w.target, w.base, w.target);
  out += fmt::format("  {:<22} {:>5} {:>10} {:>10} {:>8}\n", "class", "n", "measured", "predicted", "|error|");
  for (const auto& r : w.rows) {
    out += fmt::format("  {:<22} {:>5} {:>9.3f}x {:>9.3f}x {:>7.1f}%\n", r.kernel_class, r.count, r.measured,
                       r.predicted, r.error_pct);
  }
  return out;
}

std::string render_markdown(const WhatIfComparison& w) {
  std::string out = fmt::format(
      "Speed-up = time on `{}` / time on `{}`, geometric mean over the kernels of a class measured on both GPUs.\n\n",
      w.base, w.target);
  out += "| class | n | measured speed-up | predicted speed-up | abs error |\n|---|---|---|---|---|\n";
  for (const auto& r : w.rows) {
    out += fmt::format("| {} | {} | {:.3f}x | {:.3f}x | {:.1f}% |\n", r.kernel_class, r.count, r.measured, r.predicted,
                       r.error_pct);
  }
  return out;
}

}  // namespace hwsim
