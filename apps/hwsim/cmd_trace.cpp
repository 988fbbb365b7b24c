// hwsim trace predict: what-if on a user's own PyTorch profiler trace (issue
// 23, docs/traces.md). Reads the trace, maps each GPU kernel to an hwsim
// kernel (workloads/trace/op_map.cpp), simulates the distinct ones on the
// trace's own GPU and, when --gpu, --set or --proposal change it, on the
// target too (one process per configuration and chunk, the result cache
// shared), rebuilds the timeline and writes kernels.csv, summary.json and a
// Perfetto trace of the measured and predicted timelines.
#include <fmt/format.h>

#include <map>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/predictors.hpp"
#include "apps/hwsim/version.hpp"
#include "hw_proposals/proposal.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "sim/batch_runner.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/trace/collective_time.hpp"
#include "workloads/trace/trace_outputs.hpp"

namespace hwsim::cli {
namespace {

namespace fs = std::filesystem;
using trace::TraceKernels;

// The GPU a trace ran on, from deviceProperties[].name as CUDA reports it
// ("NVIDIA H100 80GB HBM3" is the SXM part; the PCIe and NVL parts have other
// clocks and memory, and no preset).
std::string trace_gpu(const trace::Trace& t, const Args& a) {
  if (auto g = a.maybe("trace-gpu")) return *g;
  std::string name;
  if (t.device_properties.is_array() && !t.device_properties.empty() && t.device_properties[0].is_object())
    name = t.device_properties[0].value("name", "");
  const auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  if (!has("PCIe") && !has("NVL")) {
    if (has("H100")) return "h100-sxm";
    if (has("H200")) return "h200-sxm";
    if (has("H800")) return "h800-sxm";
  }
  throw Error(fmt::format("{}: the trace's GPU ('{}') is not one hwsim has a description of; name one with --trace-gpu",
                          t.source, name));
}

struct Target {
  std::vector<KernelRequest> requests;  // parallel to TraceKernels::requests
  std::vector<bool> removed;
  std::vector<std::string> change;
  std::vector<ConfigOverlay> overlays;
};

// The proposals' spec deltas, and their rewrites of each distinct kernel of
// the trace as of a kernel run on its own (proposals::rewrite_standalone,
// shared with hwsim run --kernel): a rewrite of every kernel of a kind
// applies, one that targets the DeepSeek-V3 layer's kernels by name does not.
Target apply_proposals(const TraceKernels& k, const std::vector<std::string>& names) {
  Target t{k.requests, std::vector<bool>(k.requests.size(), false), std::vector<std::string>(k.requests.size()), {}};
  for (const std::string& n : names) {
    for (auto& d : proposals::find_proposal(n)->spec_delta()) t.overlays.push_back(std::move(d));
  }
  if (names.empty()) return t;
  for (std::size_t i = 0; i < k.requests.size(); ++i) {
    const proposals::StudyKernel sk = proposals::rewrite_standalone(k.requests[i].kind, k.requests[i].params, names);
    t.requests[i] = {sk.kernel.kind, sk.kernel.params};
    t.removed[i] = sk.change == proposals::Change::kRemoved;
    if (sk.change != proposals::Change::kUnchanged)
      t.change[i] = fmt::format("{}: {}", proposals::to_string(sk.change), sk.why);
  }
  return t;
}

// One configuration's kernels, dealt over `jobs` batches (processes).
void add_batches(std::vector<ConfigBatch>& batches, const ConfigBatch& config, int jobs) {
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(config.kernels.size(), jobs));
  const std::size_t first = batches.size();
  for (std::size_t b = 0; b < n; ++b) batches.push_back({config.gpu, config.overrides, {}, config.overlays});
  for (std::size_t i = 0; i < config.kernels.size(); ++i) batches[first + i % n].kernels.push_back(config.kernels[i]);
}

void check_crashes(const std::vector<Prediction>& ps) {
  for (const Prediction& p : ps) {
    if (p.crashed) throw Error(fmt::format("trace predict: a simulation process crashed: {}", p.error));
  }
}

// One configuration's predictions, one per request: kernels through the
// engine in `jobs` processes, NCCL collectives through the interconnect model
// (workloads/trace/collective_time.hpp).
std::vector<Prediction> predict_config(const ConfigBatch& config, const PredictorFactory& factory, int jobs) {
  const HardwareSpec spec = load_gpu(config.gpu, config.overrides, config.overlays);
  std::vector<Prediction> out(config.kernels.size());
  ConfigBatch engine{config.gpu, config.overrides, {}, config.overlays};
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < config.kernels.size(); ++i) {
    if (config.kernels[i].kind == trace::kCollectiveKind) {
      out[i] = trace::predict_collective(spec, config.kernels[i].params);
    } else {
      engine.kernels.push_back(config.kernels[i]);
      at.push_back(i);
    }
  }
  if (engine.kernels.empty()) return out;
  std::vector<ConfigBatch> batches;
  add_batches(batches, engine, jobs);
  const auto results = run_batches(batches, factory, jobs);
  for (std::size_t j = 0; j < at.size(); ++j) out[at[j]] = results[j % batches.size()][j / batches.size()];
  check_crashes(out);
  return out;
}

trace::PredictedRun predicted_run(const TraceKernels& k, const std::string& gpu, const HardwareSpec& spec,
                                  const std::vector<Prediction>& p) {
  trace::PredictedRun run;
  run.gpu = gpu;
  run.durations = trace::predicted_durations(k, p, spec.launch.profiler_span_us, run.failures);
  run.timeline = trace::rebuild_timeline(k.trace, k.links, run.durations);
  return run;
}

int run_predict(const Args& a) {
  const fs::path out = a.get("out");
  const std::vector<fs::path> files = {out / "kernels.csv", out / "summary.json", out / "timeline.perfetto.json"};
  for (const auto& f : files) check_output_path(f);  // refused before the simulations, not after
  TraceKernels k = trace::map_trace(trace::read_trace(a.get("in")));
  const std::string base_gpu = trace_gpu(k.trace, a);
  const std::string gpu = a.maybe("gpu").value_or(base_gpu);
  const std::vector<std::string> proposals = a.all("proposal"), overrides = a.all("set");
  const bool whatif = gpu != base_gpu || !overrides.empty() || !proposals.empty();
  const Target target = apply_proposals(k, proposals);
  // A bad name, --set or delta stops here, before any simulation.
  const HardwareSpec base_spec = load_gpu(base_gpu);
  const HardwareSpec target_spec = load_gpu(gpu, overrides, target.overlays);
  const int jobs = static_cast<int>(a.integer("jobs"));
  const PredictorFactory factory = predictor_factory(a.get("model"), result_cache_options(a));
  const auto target_p = predict_config({gpu, overrides, target.requests, target.overlays}, factory, jobs);
  std::optional<trace::PredictedRun> baseline;
  if (whatif)
    baseline = predicted_run(k, base_gpu, base_spec, predict_config({base_gpu, {}, k.requests, {}}, factory, jobs));
  for (auto& row : k.rows) {
    if (row.request < 0) continue;
    row.removed = target.removed[static_cast<std::size_t>(row.request)];
    row.change = target.change[static_cast<std::size_t>(row.request)];
  }
  const trace::TraceReport report{k,
                                  predicted_run(k, gpu, target_spec, target_p),
                                  baseline,
                                  {{"trace_gpu", base_gpu},
                                   {"proposals", proposals},
                                   {"set", overrides},
                                   {"model", a.get("model")},
                                   {"hwsim", {{"version", kVersion}, {"git", kGitHash}}}}};
  const nlohmann::json summary = trace::summary_json(report);
  write_file_atomic(files[0], trace::kernels_csv(report));
  write_file_atomic(files[1], summary.dump(2) + "\n");
  write_file_atomic(files[2], trace::perfetto_json(report));
  fmt::print("{}: {} GPU ops ({} mapped, {:.1f}% of GPU time unmapped), {} distinct kernels simulated on {}\n",
             k.trace.source, k.rows.size(), summary["gpu_ops_mapped"].get<std::size_t>(),
             100 * summary["unmapped_share"].get<double>(), k.requests.size(), gpu);
  fmt::print("measured {:.1f} us, predicted {:.1f} us{} -> {}\n", summary["measured_total_us"].get<double>(),
             summary["predicted_total_us"].get<double>(),
             whatif ? fmt::format(" (on {}: {:.1f} us, speed-up {:.3f}x)", base_gpu,
                                  summary["baseline_total_us"].get<double>(), summary["speedup"].get<double>())
                    : "",
             out.string());
  return 0;
}

}  // namespace

Command trace_predict_command() {
  Command c;
  c.name = "trace predict";
  c.summary = "predict a PyTorch profiler trace kernel by kernel on any GPU description and proposal";
  c.description =
      "Reads a PyTorch profiler trace (Chrome-trace JSON, optionally gzipped) recorded with record_shapes=True,\n"
      "maps every GPU kernel, memcpy and memset to an hwsim kernel through its launching aten op and that op's\n"
      "input shapes and dtypes (workloads/trace/op_map.cpp; unmapped kernels keep their measured time), simulates\n"
      "the distinct kernels, rebuilds the timeline (stream order, events, synchronisation, the CPU's measured\n"
      "gaps) and writes kernels.csv, summary.json and timeline.perfetto.json to --out. With --gpu, --set or\n"
      "--proposal it also predicts the trace's own GPU and reports the speed-up per category (docs/traces.md).";
  c.options = {
      {"in", "FILE", "the trace (.json or .json.gz)", ""},
      {"out", "DIR", "result folder", ""},
      {"gpu", "NAME|FILE", "GPU to predict on (default: the trace's own GPU)", ""},
      {"trace-gpu", "NAME|FILE", "the GPU the trace ran on (default: from its deviceProperties)", ""},
      set_option(),
      {"proposal", "NAME", "apply a hardware proposal (hwsim study --list)", "", true},
      {"model", "NAME", fmt::format("timing model: {}", fmt::join(predictor_names(), ", ")), predictor_names().front()},
      {"jobs", "N", "simulation processes at once", "2", false, IntRange{1, 256}}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (!a.has("in")) throw Error("hwsim trace predict: --in TRACE is required");
    if (!a.has("out")) throw Error("hwsim trace predict: --out DIR is required");
    return run_predict(a);
  };
  return c;
}

}  // namespace hwsim::cli
