// The steady-state extension (sim/gpu/steady_state.hpp) against the full
// simulation, on a sweep of 30 shapes for each kernel kind it applies to
// (GpuSimulator::steady_state_kinds()): every simulated time, at the maximum
// clock and at the power-capped clock the layer and the step use, within 0.5%
// of simulating every work unit. Each shape is long enough for the extension
// to apply (the test checks that it did).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "sim/config/gpu_loader.hpp"
#include "workloads/gpu_simulator.hpp"

using namespace hwsim;
using nlohmann::json;

namespace {

constexpr double kTolerance = 0.005;

struct Pair {
  GpuSimulator full;
  GpuSimulator extended;
  explicit Pair(const HardwareSpec& spec) : full(spec), extended(spec) {
    extended.set_steady_state(SteadyStateOptions{.enabled = true});
  }
};

Pair& simulators() {
  static Pair p(load_gpu("h800-sxm"));
  return p;
}

double deviation(double approx, double exact) { return std::abs(approx - exact) / exact; }

// Runs one shape both ways and returns the larger relative deviation.
double check_shape(const KernelDescriptor& d) {
  Pair& p = simulators();
  const KernelResult full = p.full.run(d), ext = p.extended.run(d);
  INFO(d.kind << " " << d.params.dump());
  REQUIRE(ext.launch.contains("steady_state"));
  REQUIRE_FALSE(full.launch.contains("steady_state"));
  const double at_max = deviation(ext.launch["power"]["time_us_at_max_clock"].get<double>(),
                                  full.launch["power"]["time_us_at_max_clock"].get<double>());
  const double capped = deviation(ext.time_us, full.time_us);
  CHECK(at_max <= kTolerance);
  CHECK(capped <= kTolerance);
  return std::max(at_max, capped);
}

json fp8(std::int64_t n, std::int64_t k) {
  return {{"n", n},
          {"k", k},
          {"a_dtype", "fp8_e4m3"},
          {"b_dtype", "fp8_e4m3"},
          {"out_dtype", "bf16"},
          {"scaling", "block_1x128_128x128"}};
}

// 30 gemm shapes: the layer's three GEMM forms (FP8 1x128/128x128 with BF16
// out, the FP8 weight gradient into FP32, BF16) on all SMs and on the 112
// DeepEP leaves.
std::vector<KernelDescriptor> gemm_shapes() {
  std::vector<KernelDescriptor> out;
  const std::vector<std::array<std::int64_t, 3>> mnk = {
      {4096, 16384, 512}, {8192, 8192, 512},  {6144, 12288, 256}, {4096, 24576, 384}, {16384, 4096, 512},
      {12288, 6144, 256}, {8192, 10240, 384}, {4096, 32768, 256}, {20480, 3072, 512}, {10240, 8192, 256}};
  for (size_t i = 0; i < mnk.size(); ++i) {
    const auto [m, n, k] = mnk[i];
    json block = fp8(n, k);
    block["m"] = m;
    json wgrad = fp8(n, k);
    wgrad.update({{"m", m}, {"scaling", "block_1x128_1x128"}, {"out_dtype", "fp32"}, {"accumulate", true}});
    json bf16 = {{"m", m}, {"n", n}, {"k", k}, {"a_dtype", "bf16"}, {"b_dtype", "bf16"}, {"out_dtype", "bf16"}};
    for (json* p : {&block, &wgrad, &bf16}) {
      if (i % 2 == 1) (*p)["sms"] = 112;
      out.push_back({"gemm", *p});
    }
  }
  return out;
}

// 30 grouped_gemm shapes: equal and ragged groups, FP8 block-scaled.
std::vector<KernelDescriptor> grouped_shapes() {
  std::vector<KernelDescriptor> out;
  const std::vector<std::array<std::int64_t, 4>> shapes = {
      {4, 8192, 4096, 512}, {8, 4096, 4096, 256},  {4, 8192, 2048, 512}, {8, 4096, 3072, 384},  {4, 4096, 7168, 256},
      {8, 2048, 7168, 512}, {2, 16384, 4096, 256}, {8, 3072, 6144, 256}, {4, 6144, 4096, 384},  {16, 2048, 4096, 256},
      {4, 5120, 6144, 256}, {8, 4096, 2048, 512},  {4, 3072, 8192, 384}, {2, 12288, 3072, 512}, {8, 2560, 6144, 256}};
  for (size_t i = 0; i < shapes.size(); ++i) {
    const auto [groups, rows, n, k] = shapes[i];
    json equal = fp8(n, k);
    equal.update({{"groups", groups}, {"m_per_group", rows}});
    if (i % 3 == 2) equal["sms"] = 112;
    out.push_back({"grouped_gemm", equal});
    // Ragged: the same rows spread unevenly (an even number of groups,
    // alternately 256 rows more and less).
    std::string list;
    for (std::int64_t g = 0; g < groups; ++g) list += (g ? "," : "") + std::to_string(rows + (g % 2 ? -256 : 256));
    json uneven = fp8(n, k);
    uneven.update({{"groups", groups}, {"group_rows", list}});
    if (i % 3 == 0) uneven["sms"] = 112;
    out.push_back({"grouped_gemm", uneven});
  }
  return out;
}

void sweep(const std::vector<KernelDescriptor>& shapes) {
  REQUIRE(shapes.size() >= 30);
  double worst = 0;
  for (const auto& d : shapes) worst = std::max(worst, check_shape(d));
  WARN("largest deviation " << worst * 100 << "% over " << shapes.size() << " shapes");
}

}  // namespace

TEST_CASE("the steady-state extension covers exactly the kinds swept here", "[steady_state]") {
  CHECK(GpuSimulator::steady_state_kinds() == std::vector<std::string>{"gemm", "grouped_gemm"});
}

TEST_CASE("gemm: the steady-state extension is within 0.5% of the full simulation on 30 shapes",
          "[slow][steady_state]") {
  sweep(gemm_shapes());
}

TEST_CASE("grouped_gemm: the steady-state extension is within 0.5% of the full simulation on 30 shapes",
          "[slow][steady_state]") {
  sweep(grouped_shapes());
}
