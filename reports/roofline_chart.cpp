#include "reports/roofline_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/spec/error.hpp"
#include "models/spec/roofline.hpp"
#include "reports/vega_lite.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::reports {
using nlohmann::json;

namespace {

// HBM bytes of a KernelResult: "hbm" if present, else the sum of its hbm_* entries.
double kernel_result_hbm_bytes(const json& bytes) {
  if (bytes.contains("hbm") && bytes["hbm"].is_number()) return bytes["hbm"];
  double sum = 0;
  for (const auto& [k, v] : bytes.items()) {
    if (k.rfind("hbm", 0) == 0 && v.is_number()) sum += v.get<double>();
  }
  return sum;
}

HardwareSpec load_for(const std::string& gpu, const json* config, const std::string& file) {
  auto load = [&](const std::vector<std::string>& overrides) {
    try {
      return load_gpu(gpu, overrides);
    } catch (const Error& e) {
      throw Error(
          fmt::format("report: results file '{}': cannot load GPU '{}' for the roofline: {}", file, gpu, e.what()));
    }
  };
  // The resolved config lists every parameter; only those that differ from
  // the preset are applied (as --set would), so a value the preset already
  // holds is never re-parsed from its JSON form. Without such a difference the
  // preset itself is the GPU (the usual case: loaded once, not twice).
  HardwareSpec preset_spec = load({});
  if (config == nullptr || !config->contains("params") || !(*config)["params"].is_object()) return preset_spec;
  const json preset = resolved_config_json(preset_spec)["params"];
  std::vector<std::string> overrides;
  for (const ParamDef& d : gpu_param_schema()) {
    const std::string key(d.key);
    if (!(*config)["params"].contains(key)) continue;
    const json& p = (*config)["params"][key];
    const json& v = p.is_object() && p.contains("value") ? p["value"] : p;
    if (preset.contains(key) && preset[key]["value"] == v) continue;
    overrides.push_back(key + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  }
  if (overrides.empty()) return preset_spec;
  return load(overrides);
}

struct Point {
  std::string source, kernel, kind;
  double flops, hbm_bytes, time_us;
};

Chart make_chart(const HardwareSpec& spec, const std::vector<Point>& pts, const std::string& id,
                 const std::string& caption_tail, int skipped) {
  const RooflineSummary r = roofline(spec);
  Table kt{id + "-kernels",
           "Kernels",
           "",
           {{"source", "source", ""},
            {"kernel", "kernel", ""},
            {"kind", "kind", ""},
            {"intensity", "arithmetic intensity", "FLOP/byte", 2},
            {"tflops", "achieved", "TFLOP/s", 2},
            {"flops", "FLOPs", "FLOP", 0},
            {"hbm_bytes", "HBM traffic", "bytes", 0},
            {"time_us", "time per launch", "µs", 2}}};
  double lo = 0.1, hi = 1e4;
  for (const Point& p : pts) {
    const double ai = p.flops / p.hbm_bytes;
    lo = std::min(lo, ai / 2);
    hi = std::max(hi, ai * 2);
    kt.rows.push_back({{"source", p.source},
                       {"kernel", p.kernel},
                       {"kind", p.kind},
                       {"intensity", ai},
                       {"tflops", p.flops / (p.time_us * 1e-6) / 1e12},
                       {"flops", p.flops},
                       {"hbm_bytes", p.hbm_bytes},
                       {"time_us", p.time_us}});
  }
  Table ct{id + "-ceilings",
           "Ceilings",
           "",
           {{"ceiling", "ceiling", ""},
            {"intensity", "arithmetic intensity", "FLOP/byte", 2},
            {"tflops", "attainable", "TFLOP/s", 1}}};
  const double bw = r.hbm_peak_bytes_per_s;
  for (const RooflineRow& row : r.rows) {
    if (row.dtype != DataType::kFp8E4M3 && row.dtype != DataType::kBf16) continue;
    const std::string name = fmt::format("{} tensor peak, {:.0f} GB/s HBM", to_string(row.dtype), bw / 1e9);
    // Piecewise linear in log-log: the two ends and the ridge point draw it exactly.
    for (double x : {lo, row.ridge_flop_per_byte, hi}) {
      ct.rows.push_back({{"ceiling", name}, {"intensity", x}, {"tflops", std::min(row.peak_flops, x * bw) / 1e12}});
    }
  }
  Chart c{"chart-" + id, fmt::format("Roofline of {} with the simulated kernels", spec.display_name), "", {}, {kt, ct}};
  c.caption = fmt::format(
      "Achieved FLOP/s against FLOPs per HBM byte, log-log; ceilings from the {} description "
      "({:.0f} GB/s HBM peak, {:.0f} TFLOP/s FP8 dense at {:.0f} MHz){}. {}",
      spec.name, bw / 1e9, r.rows.empty() ? 0.0 : r.rows.front().peak_flops / 1e12, spec.clock.sm_MHz,
      skipped > 0 ? fmt::format("; {} kernels with no FLOPs or no HBM traffic are not drawn", skipped) : "",
      caption_tail);
  json spec_json = vl::base_spec(c.title, c.data);
  spec_json["height"] = 380;
  json x = vl::quantitative("intensity", "arithmetic intensity (FLOP/byte of HBM traffic)", true);
  json y = vl::quantitative("tflops", "achieved throughput (TFLOP/s)", true);
  spec_json["layer"] = {
      {{"data", vl::data_ref(ct)},
       {"mark", {{"type", "line"}, {"strokeWidth", 2}}},
       {"encoding",
        {{"x", x},
         {"y", y},
         {"strokeDash",
          {{"field", "ceiling"},
           {"type", "nominal"},
           {"title", "ceiling"},
           {"legend", {{"orient", "bottom"}, {"labelLimit", 300}}}}},
         {"color", {{"value", "#555"}}},
         {"tooltip", vl::tooltip(ct)}}}},
      {{"data", vl::data_ref(kt)},
       {"mark", {{"type", "point"}, {"filled", true}, {"size", 70}, {"opacity", 0.85}}},
       {"encoding",
        {{"x", x},
         {"y", y},
         {"color",
          {{"field", "kind"}, {"type", "nominal"}, {"title", "kernel kind"}, {"scale", {{"scheme", "tableau20"}}}}},
         {"shape", {{"field", "source"}, {"type", "nominal"}, {"title", "source"}, {"legend", {{"labelLimit", 300}}}}},
         {"tooltip", vl::tooltip(kt)}}}}};
  c.spec = spec_json;
  return c;
}

void add_kernel_results(std::span<const ResultFile> kernels, const std::string& gpu, std::vector<Point>& pts,
                        int& skipped) {
  for (const ResultFile& f : kernels) {
    if (f.doc["gpu"] != gpu) continue;
    const double hbm = kernel_result_hbm_bytes(f.doc["bytes"]);
    const double flops = f.doc["flops"], t = f.doc["time_us"];
    if (flops <= 0 || hbm <= 0 || t <= 0) {
      ++skipped;
      continue;
    }
    pts.push_back({"hwsim run: " + f.path.filename().string(), f.doc["kernel"], "single run", flops, hbm, t});
  }
}

}  // namespace

Chart study_roofline_chart(const ResultFile& study, std::span<const ResultFile> kernels, const std::string& sfx,
                           const std::string& config_line) {
  const json& s = study.doc;
  const std::string gpu = s["gpu"];
  const HardwareSpec spec = load_for(gpu, &s["config"], study.path.string());
  std::vector<Point> pts;
  int skipped = 0;
  for (const json& k : s["baseline"]["kernels"]) {
    const double flops = k["flops"], hbm = k["hbm_bytes"], t = k["time_us"];
    if (flops <= 0 || hbm <= 0 || t <= 0) {
      ++skipped;
      continue;
    }
    pts.push_back({"study baseline", k["name"], k["kind"], flops, hbm, t});
  }
  add_kernel_results(kernels, gpu, pts, skipped);
  return make_chart(spec, pts, "roofline" + sfx, config_line, skipped);
}

std::vector<Chart> kernel_roofline_charts(std::span<const ResultFile> kernels) {
  std::map<std::string, const ResultFile*> gpus;  // sorted: deterministic order
  for (const ResultFile& f : kernels) gpus.emplace(f.doc["gpu"].get<std::string>(), &f);
  std::vector<Chart> out;
  for (const auto& [gpu, first] : gpus) {
    const json* config = first->doc.contains("config") ? &first->doc["config"] : nullptr;
    const HardwareSpec spec = load_for(gpu, config, first->path.string());
    std::vector<Point> pts;
    int skipped = 0;
    add_kernel_results(kernels, gpu, pts, skipped);
    out.push_back(make_chart(spec, pts, "roofline-runs-" + gpu, "Config: kernel results of `hwsim run`.", skipped));
  }
  return out;
}

}  // namespace hwsim::reports
