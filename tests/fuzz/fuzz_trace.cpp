// Fuzz target: PyTorch profiler traces (workloads/trace/), as `hwsim trace
// predict --in` reads them: the streaming reader, the mapping of every GPU op,
// the timeline rebuilt with the measured durations and the output files.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/fuzz_input.hpp"
#include "workloads/trace/trace_outputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  hwsim::fuzz::expect_clean_error([&] {
    namespace tr = hwsim::trace;
    const tr::TraceKernels k = tr::map_trace(tr::parse_trace(text, "fuzz.json"));
    tr::PredictedRun run;
    run.gpu = "h100-sxm";
    for (const tr::GpuOp& g : k.trace.gpu) run.durations.push_back(g.dur);
    run.failures.assign(k.requests.size(), "");
    run.timeline = tr::rebuild_timeline(k.trace, k.links, run.durations);
    const tr::TraceReport report{k, run, std::nullopt, nlohmann::json::object()};
    (void)tr::kernels_csv(report);
    (void)tr::summary_json(report).dump();
    (void)tr::perfetto_json(report);
  });
  return 0;
}
