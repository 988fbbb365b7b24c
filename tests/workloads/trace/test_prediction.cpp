// Predicted durations from the simulated requests: kernels launched by one op
// share its prediction by their measured times; a failed simulation keeps the
// measured time and is reported.
#include <catch2/catch.hpp>

#include "workloads/trace/trace_prediction.hpp"

namespace hwsim::trace {
namespace {

// aten::mm launching two kernels (a GEMM and its split-K reduction), then a memset.
Trace two_kernel_op() {
  Trace t;
  t.source = "mem";
  const nlohmann::json dims = {{512, 1024}, {1024, 256}};
  t.ops.push_back({"aten::mm", 0, 50, 1, 1, 7, -1, -1, true, dims, {"c10::BFloat16", "c10::BFloat16"}, {}});
  t.runtime.push_back({"cudaLaunchKernel", 1, 2, 1, 1, 1, 7});
  t.runtime.push_back({"cudaLaunchKernel", 4, 2, 1, 1, 2, 7});
  t.runtime.push_back({"cudaMemsetAsync", 60, 2, 1, 1, 3, -1});
  t.gpu.push_back({GpuKind::kKernel, "gemm_splitk", 10, 30, 0, 0, 7, 1});
  t.gpu.push_back({GpuKind::kKernel, "splitk_reduce", 41, 10, 0, 0, 7, 2});
  t.gpu.push_back({GpuKind::kMemset, "Memset (Device)", 70, 2, 0, 0, 7, 3, -1, 4096});
  return t;
}

}  // namespace

TEST_CASE("an op's kernels share its prediction in proportion to their measured times") {
  const TraceKernels k = map_trace(two_kernel_op());
  REQUIRE(k.requests.size() == 2);  // the GEMM (both kernels) and the memset
  CHECK(k.rows[0].request == k.rows[1].request);
  std::vector<Prediction> p(2);
  p[static_cast<std::size_t>(k.rows[0].request)].time_us = 22.0;
  p[static_cast<std::size_t>(k.rows[0].request)].detail = {{"kernel_time_us", 20.0}};
  p[static_cast<std::size_t>(k.rows[2].request)].error = "no such thing";
  std::vector<std::string> failures;
  const auto d = predicted_durations(k, p, 0.0, failures);
  CHECK(d[0] == Approx(15.0));  // 20 x 30 / 40: the kernel time, without the launch overhead
  CHECK(d[1] == Approx(5.0));
  CHECK(d[2] == Approx(2.0));  // failed: the measured time
  CHECK(failures[static_cast<std::size_t>(k.rows[2].request)] == "no such thing");
  // The profiler's own span of each kernel comes on top of its share; a failed op keeps its measured time.
  const auto spanned = predicted_durations(k, p, 0.8, failures);
  CHECK(spanned[0] == Approx(15.8));
  CHECK(spanned[1] == Approx(5.8));
  CHECK(spanned[2] == Approx(2.0));
}

}  // namespace hwsim::trace
