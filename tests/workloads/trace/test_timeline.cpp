// The timeline rebuild: the measured durations give back the measured run;
// shorter kernels move the CPU only through what it waited for.
#include <catch2/catch.hpp>

#include "workloads/trace/timeline.hpp"
#include "workloads/trace/trace_prediction.hpp"

namespace hwsim::trace {
namespace {

const std::filesystem::path kTimelineFixture =
    std::filesystem::path(HWSIM_SOURCE_DIR) / "tests/workloads/trace/fixtures/two_steps.json";

std::vector<double> measured(const Trace& t) {
  std::vector<double> d;
  for (const GpuOp& g : t.gpu) d.push_back(g.dur);
  return d;
}

}  // namespace

TEST_CASE("with the measured durations the rebuilt timeline is the measured one") {
  const TraceKernels k = map_trace(read_trace(kTimelineFixture));
  const Timeline tl = rebuild_timeline(k.trace, k.links, measured(k.trace));
  for (std::size_t g = 0; g < k.trace.gpu.size(); ++g) {
    CHECK(tl.start[g] == Approx(k.trace.gpu[g].ts).margin(1e-9));
    CHECK(tl.end[g] == Approx(k.trace.gpu[g].ts + k.trace.gpu[g].dur).margin(1e-9));
  }
  REQUIRE(tl.iterations.size() == 2);
  CHECK(tl.iterations[0].measured_us == Approx(100));
  CHECK(tl.iterations[0].predicted_us == Approx(100));
  CHECK(tl.iterations[1].measured_us == Approx(50));
  CHECK(tl.iterations[0].gpu_ops == 5);
  CHECK(tl.measured_busy_us == Approx(20 + 3 + 4 + 1 + 2 + 15 + 2));
  CHECK(tl.predicted_busy_us == Approx(tl.measured_busy_us));
}

TEST_CASE("halved kernels: queued ones follow their stream, the CPU resumes earlier after a sync") {
  const TraceKernels k = map_trace(read_trace(kTimelineFixture));
  std::vector<double> d = measured(k.trace);
  for (double& x : d) x /= 2;
  const Timeline tl = rebuild_timeline(k.trace, k.links, d);
  // The GEMM waited for its launch (stream idle): it starts as measured.
  CHECK(tl.start[0] == Approx(10));
  // silu was queued behind the GEMM: it keeps the measured 0.5 us gap after it.
  CHECK(tl.start[1] == Approx(20.5));
  // The device sync returns 0.5 us (its measured own cost) after the memset's
  // predicted end (28.5) instead of at 40: the CPU is 9.5 us earlier from then
  // on, and the launch-bound copy kernel with it.
  CHECK(tl.end[3] == Approx(28.5));
  CHECK(tl.start[4] == Approx(47 - 9.5));
  // Step 1 still ends with its CPU span (the CPU, not the GPU, bounds it).
  CHECK(tl.iterations[0].predicted_us == Approx(100 - 9.5));
  CHECK(tl.predicted_busy_us == Approx(tl.measured_busy_us / 2));
}

TEST_CASE("longer kernels delay the CPU after a sync by as much") {
  const TraceKernels k = map_trace(read_trace(kTimelineFixture));
  std::vector<double> d = measured(k.trace);
  d[3] += 20;  // the memset, last before the device sync
  const Timeline tl = rebuild_timeline(k.trace, k.links, d);
  CHECK(tl.start[4] == Approx(47 + 20));
  CHECK(tl.iterations[0].predicted_us == Approx(120));
}

}  // namespace hwsim::trace
