#include "workloads/trace/trace_outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace hwsim::trace {
namespace {

using json = nlohmann::json;

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double rounded(double v) { return std::round(v * 1000) / 1000; }  // ns: the trace's own resolution

double rel_error(double predicted, double measured) {
  return measured > 0 ? std::abs(predicted - measured) / measured : 0.0;
}

std::string reason_of(const TraceReport& r, std::size_t g) {
  const KernelRow& row = r.kernels.rows[g];
  if (row.request >= 0 && !row.removed) {
    const std::string& f = r.target.failures[static_cast<std::size_t>(row.request)];
    if (!f.empty()) return "simulation failed: " + f;
  }
  return row.mapping.reason;
}

json category_table(const TraceReport& r) {
  struct Acc {
    std::size_t ops = 0;
    double measured = 0, predicted = 0, baseline = 0;
    std::vector<double> errors;
  };
  std::map<std::string, Acc> acc;
  for (std::size_t g = 0; g < r.kernels.rows.size(); ++g) {
    const std::string cat = r.kernels.rows[g].mapping.category.empty() ? "other" : r.kernels.rows[g].mapping.category;
    Acc& a = acc[cat];
    ++a.ops;
    a.measured += r.kernels.trace.gpu[g].dur;
    a.predicted += r.target.durations[g];
    a.baseline += r.baseline ? r.baseline->durations[g] : r.target.durations[g];
    if (predicted_by_model(r, g)) a.errors.push_back(rel_error(r.target.durations[g], r.kernels.trace.gpu[g].dur));
  }
  json out = json::object();
  for (const auto& [cat, a] : acc) {
    out[cat] = {{"gpu_ops", a.ops},
                {"measured_us", rounded(a.measured)},
                {"predicted_us", rounded(a.predicted)},
                {"median_abs_error", rounded(median(a.errors))}};
    if (r.baseline) {
      out[cat]["baseline_us"] = rounded(a.baseline);
      out[cat]["speedup"] = a.predicted > 0 ? rounded(a.baseline / a.predicted) : 0.0;
    }
  }
  return out;
}

// GPU time of the forward and backward passes (a kernel is backward when an
// autograd backward op encloses its launch).
json phase_table(const TraceReport& r) {
  json out = {{"fwd", {{"measured_us", 0.0}, {"predicted_us", 0.0}}},
              {"bwd", {{"measured_us", 0.0}, {"predicted_us", 0.0}}}};
  for (std::size_t g = 0; g < r.kernels.rows.size(); ++g) {
    json& p = out[r.kernels.rows[g].backward ? "bwd" : "fwd"];
    p["measured_us"] = p["measured_us"].get<double>() + r.kernels.trace.gpu[g].dur;
    p["predicted_us"] = p["predicted_us"].get<double>() + r.target.durations[g];
  }
  for (auto& [phase, p] : out.items()) {
    p["measured_us"] = rounded(p["measured_us"].get<double>());
    p["predicted_us"] = rounded(p["predicted_us"].get<double>());
  }
  return out;
}

json unmapped_table(const TraceReport& r, double gpu_time) {
  std::map<std::pair<std::string, std::string>, std::pair<std::size_t, double>> acc;  // (op, reason)
  for (std::size_t g = 0; g < r.kernels.rows.size(); ++g) {
    if (predicted_by_model(r, g)) continue;
    const std::string op =
        r.kernels.rows[g].mapping.op.empty() ? r.kernels.trace.gpu[g].name.substr(0, 80) : r.kernels.rows[g].mapping.op;
    auto& a = acc[{op, reason_of(r, g)}];
    ++a.first;
    a.second += r.kernels.trace.gpu[g].dur;
  }
  std::vector<json> rows;
  for (const auto& [key, a] : acc) {
    rows.push_back({{"op", key.first},
                    {"reason", key.second},
                    {"gpu_ops", a.first},
                    {"measured_us", rounded(a.second)},
                    {"share", gpu_time > 0 ? rounded(a.second / gpu_time) : 0.0}});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return a["measured_us"].get<double>() > b["measured_us"].get<double>();
  });
  return rows;
}

// One row per distinct hwsim kernel: its launches' median measured time
// against the predicted one (the report's scatter; at most a few hundred
// points however many launches the trace holds).
json kernel_classes(const TraceReport& r) {
  struct Acc {
    const KernelRow* row = nullptr;
    std::vector<double> measured;
    double measured_total = 0, predicted_total = 0, predicted = 0;
  };
  std::map<std::int64_t, Acc> acc;
  for (std::size_t g = 0; g < r.kernels.rows.size(); ++g) {
    if (!predicted_by_model(r, g) || r.kernels.rows[g].removed) continue;
    Acc& a = acc[r.kernels.rows[g].request];
    a.row = &r.kernels.rows[g];
    a.measured.push_back(r.kernels.trace.gpu[g].dur);
    a.measured_total += r.kernels.trace.gpu[g].dur;
    a.predicted_total += r.target.durations[g];
  }
  json out = json::array();
  for (const auto& [request, a] : acc) {
    const double n = static_cast<double>(a.measured.size());
    out.push_back({{"kernel", a.row->mapping.kind},
                   {"params", a.row->mapping.params.dump()},
                   {"op", a.row->mapping.op},
                   {"category", a.row->mapping.category},
                   {"gpu_ops", a.measured.size()},
                   {"measured_us", rounded(median(a.measured))},
                   {"predicted_us", rounded(a.predicted_total / n)},
                   {"measured_total_us", rounded(a.measured_total)},
                   {"predicted_total_us", rounded(a.predicted_total)}});
  }
  return out;
}

json iterations(const TraceReport& r) {
  json out = json::array();
  const auto& its = r.target.timeline.iterations;
  for (std::size_t i = 0; i < its.size(); ++i) {
    json it = {{"name", its[i].name},
               {"gpu_ops", its[i].gpu_ops},
               {"measured_us", rounded(its[i].measured_us)},
               {"predicted_us", rounded(its[i].predicted_us)},
               {"error", rounded((its[i].predicted_us - its[i].measured_us) / std::max(1e-9, its[i].measured_us))}};
    if (r.baseline) it["baseline_us"] = rounded(r.baseline->timeline.iterations[i].predicted_us);
    out.push_back(it);
  }
  return out;
}

}  // namespace

bool predicted_by_model(const TraceReport& r, std::size_t g) {
  const KernelRow& row = r.kernels.rows[g];
  if (row.request < 0) return false;
  return row.removed || r.target.failures[static_cast<std::size_t>(row.request)].empty();
}

std::string kernels_csv(const TraceReport& r) {
  std::string out = "index,name,stream,category,phase,op,forward_op,kind,params,note,measured_us,predicted_us";
  out += r.baseline ? ",baseline_us,mapped,reason\n" : ",mapped,reason\n";
  for (std::size_t g = 0; g < r.kernels.rows.size(); ++g) {
    const KernelRow& row = r.kernels.rows[g];
    const GpuOp& op = r.kernels.trace.gpu[g];
    const bool mapped = predicted_by_model(r, g);
    std::string note = row.mapping.note;
    if (!row.change.empty()) note = note.empty() ? row.change : note + "; " + row.change;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.3f},{:.3f}", g, csv_field(op.name), op.stream,
                       csv_field(row.mapping.category), row.backward ? "bwd" : "fwd", csv_field(row.mapping.op),
                       csv_field(row.forward_op), row.mapping.kind,
                       csv_field(row.mapping.mapped() ? row.mapping.params.dump() : ""), csv_field(note), op.dur,
                       r.target.durations[g]);
    if (r.baseline) out += fmt::format(",{:.3f}", r.baseline->durations[g]);
    out += fmt::format(",{},{}\n", mapped ? "true" : "false", csv_field(mapped ? "" : reason_of(r, g)));
  }
  return out;
}

json summary_json(const TraceReport& r) {
  const auto& gpu = r.kernels.trace.gpu;
  double gpu_time = 0, unmapped_time = 0;
  std::vector<double> errors;
  std::size_t mapped = 0;
  for (std::size_t g = 0; g < gpu.size(); ++g) {
    gpu_time += gpu[g].dur;
    if (!predicted_by_model(r, g)) {
      unmapped_time += gpu[g].dur;
      continue;
    }
    ++mapped;
    if (!r.kernels.rows[g].removed) errors.push_back(rel_error(r.target.durations[g], gpu[g].dur));
  }
  const Timeline& tl = r.target.timeline;
  json s = {{"kind", "hwsim_trace_prediction"},
            {"trace", r.kernels.trace.source},
            {"mapping_version", std::string(kOpMapVersion)},
            {"gpu", r.target.gpu},
            {"gpu_ops", gpu.size()},
            {"gpu_ops_mapped", mapped},
            {"distinct_kernels_simulated", r.kernels.requests.size()},
            {"measured_total_us", rounded(tl.measured_total_us)},
            {"predicted_total_us", rounded(tl.predicted_total_us)},
            {"measured_gpu_busy_us", rounded(tl.measured_busy_us)},
            {"predicted_gpu_busy_us", rounded(tl.predicted_busy_us)},
            {"measured_gpu_time_us", rounded(gpu_time)},
            {"unmapped_share", gpu_time > 0 ? rounded(unmapped_time / gpu_time) : 0.0},
            {"per_kernel",
             {{"kernels", errors.size()},
              {"median_abs_error", rounded(median(errors))},
              {"within_10pct", std::count_if(errors.begin(), errors.end(), [](double e) { return e <= 0.10; })}}},
            {"iterations", iterations(r)},
            {"categories", category_table(r)},
            {"phases", phase_table(r)},
            {"kernel_classes", kernel_classes(r)},
            {"unmapped", unmapped_table(r, gpu_time)}};
  s.update(r.context);
  if (r.baseline) {
    const double base = r.baseline->timeline.predicted_total_us;
    s["baseline_gpu"] = r.baseline->gpu;
    s["baseline_total_us"] = rounded(base);
    s["speedup"] = tl.predicted_total_us > 0 ? rounded(base / tl.predicted_total_us) : 0.0;
  }
  return s;
}

std::string perfetto_json(const TraceReport& r) {
  const auto& gpu = r.kernels.trace.gpu;
  double t0 = gpu.empty() ? 0 : gpu.front().ts;
  for (std::size_t g = 0; g < gpu.size(); ++g) t0 = std::min({t0, gpu[g].ts, r.target.timeline.start[g]});
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out += fmt::format(
      "{{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"args\":{{\"name\":\"measured\"}}}},\n"
      "{{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":2,\"args\":{{\"name\":{}}}}}",
      json("predicted on " + r.target.gpu).dump());
  std::map<std::int64_t, bool> streams;
  for (std::size_t g = 0; g < gpu.size(); ++g) {
    const KernelRow& row = r.kernels.rows[g];
    const std::string name = json(gpu[g].name.substr(0, 200)).dump();
    const std::string cat = json(row.mapping.category.empty() ? "other" : row.mapping.category).dump();
    const std::string args =
        fmt::format("{{\"kind\":{},\"mapped\":{},\"measured_us\":{:.3f},\"predicted_us\":{:.3f}}}",
                    json(row.mapping.kind).dump(), predicted_by_model(r, g), gpu[g].dur, r.target.durations[g]);
    out += fmt::format(
        ",\n{{\"ph\":\"X\",\"pid\":1,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},\"name\":{},\"cat\":{},\"args\":{}}}",
        gpu[g].stream, gpu[g].ts - t0, gpu[g].dur, name, cat, args);
    out += fmt::format(
        ",\n{{\"ph\":\"X\",\"pid\":2,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},\"name\":{},\"cat\":{},\"args\":{}}}",
        gpu[g].stream, r.target.timeline.start[g] - t0, r.target.durations[g], name, cat, args);
    streams[gpu[g].stream] = true;
  }
  for (const auto& [stream, unused] : streams) {
    for (int pid : {1, 2})
      out += fmt::format(
          ",\n{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":{},\"tid\":{},\"args\":{{\"name\":\"stream {}\"}}}}", pid,
          stream, stream);
  }
  return out + "\n]}\n";
}

}  // namespace hwsim::trace
