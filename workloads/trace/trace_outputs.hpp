#pragma once
// The files `hwsim trace predict` writes (docs/traces.md, "Outputs"):
// kernels.csv (one row per GPU op), summary.json (totals per iteration and
// overall, GPU-busy time, time by category, per-kernel error, unmapped share,
// the mapping version) and a Perfetto trace with the measured and the
// predicted timeline side by side. Numbers are formatted the same way on
// every run: the same inputs give byte-identical files.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "workloads/trace/timeline.hpp"
#include "workloads/trace/trace_prediction.hpp"

namespace hwsim::trace {

struct PredictedRun {
  std::string gpu;                    // the GPU description's name
  std::vector<double> durations;      // per GPU op
  std::vector<std::string> failures;  // per request: the simulation's error, or ""
  Timeline timeline;
};

struct TraceReport {
  const TraceKernels& kernels;
  PredictedRun target;                   // --gpu, --set, --proposal
  std::optional<PredictedRun> baseline;  // the trace's own GPU, when the target differs
  nlohmann::json context;                // trace_gpu, proposals, set: copied into the summary
};

// Whether row g's time came from the model (mapped and simulated, or removed by a proposal).
bool predicted_by_model(const TraceReport& r, std::size_t g);

std::string kernels_csv(const TraceReport& r);
nlohmann::json summary_json(const TraceReport& r);
std::string perfetto_json(const TraceReport& r);

}  // namespace hwsim::trace
