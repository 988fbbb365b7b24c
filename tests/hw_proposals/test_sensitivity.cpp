// A proposal's sensitivity line as a one-axis sweep (hw_proposals/sensitivity.cpp):
// its points and overrides are the sweep's, and a registration the spec table
// rejects fails with the words a sweep file with the same axis gets.
#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "apps/hwsim/sweep/sweep_spec.hpp"
#include "hw_proposals/proposal.hpp"
#include "hw_proposals/sensitivity.hpp"
#include "models/spec/error.hpp"

namespace fs = std::filesystem;
using namespace hwsim;
using proposals::sensitivity_sweep;
using proposals::SensitivityParam;
using proposals::SensitivitySweep;

namespace {

std::string error_of(const auto& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The error of a sweep file whose one axis is `axis` (YAML), without its
// "FILE:LINE: " prefix.
std::string sweep_file_error(const std::string& axis) {
  const fs::path path = fs::temp_directory_path() / fmt::format("sensitivity_{}.yaml", ::getpid());
  std::ofstream(path) << "workload: {layer: deepseek-v3-layer}\naxes:\n  " << axis << "\n";
  const std::string m = error_of([&] { sweep::read_sweep(path); });
  fs::remove(path);
  const std::string prefix = path.string() + ":3: ";
  return m.starts_with(prefix) ? m.substr(prefix.size()) : m;
}

}  // namespace

TEST_CASE("every registered sensitivity line is a one-axis sweep of its values, written as before") {
  for (const auto& p : proposals::all_proposals()) {
    for (const SensitivityParam& param : p->sensitivity()) {
      INFO(p->name() << " " << param.key);
      const SensitivitySweep s = sensitivity_sweep(param);
      REQUIRE(s.points.size() == param.values.size());
      for (size_t i = 0; i < s.points.size(); ++i) {
        CHECK(s.points[i].index == static_cast<int>(i));
        CHECK(s.points[i].values == std::vector<double>{param.values[i]});  // the registration's unit is the key's
        // The text the study passed before it used the sweep's machinery.
        CHECK(s.overrides(s.points[i]) == std::vector<std::string>{fmt::format("{}={}", param.key, param.values[i])});
      }
    }
  }
}

TEST_CASE("a sensitivity registration the spec table rejects fails as a sweep file with that axis does") {
  const std::vector<std::tuple<SensitivityParam, std::string, std::string>> cases = {
      {proposals::sweep("tma.fp8_cast_bytes_per_clock", "B/clk/SM", "made up", {16, 32}),
       "tma.fp8_cast_bytes_per_clock: {values: [16 B/clk/SM, 32 B/clk/SM]}",
       "tma.fp8_cast_bytes_per_clock: not a GPU description key, param.NAME, tokens, proposal or "
       "numerics.promote_every (did you mean 'tma.fp8_cast_bytes_per_clk'?)"},
      {proposals::sweep("hbm.near_memory_cast_GBps", "us", "made up", {800}),
       "hbm.near_memory_cast_GBps: {values: [800 us]}",
       "hbm.near_memory_cast_GBps.values: unit 'us' is a time, expected a bandwidth"},
      {proposals::sweep("comm_coprocessor.latency_us", "fortnights", "made up", {1}),
       "comm_coprocessor.latency_us: {values: [1 fortnights]}",
       "comm_coprocessor.latency_us.values: unknown unit 'fortnights'"},
      {proposals::sweep("tensor_core.fp8_accum_fraction_bits", "bits", "made up", {13, 60}),
       "tensor_core.fp8_accum_fraction_bits: {values: [13 bits, 60 bits]}",
       "tensor_core.fp8_accum_fraction_bits: 60 is outside 1..52, the range of tensor_core.fp8_accum_fraction_bits"},
      {proposals::sweep("tma.implementation", "", "made up", {1}), "tma.implementation: {values: [1]}",
       "tma.implementation: only number and integer keys can be swept"},
  };
  for (const auto& [param, axis, expected] : cases) {
    INFO(axis);
    CHECK(error_of([&] { sensitivity_sweep(param); }) == expected);
    CHECK(sweep_file_error(axis) == expected);
  }
}

TEST_CASE("a sensitivity registration in another unit of the key's dimension is converted as a sweep file's is") {
  const SensitivitySweep s =
      sensitivity_sweep(proposals::sweep("hbm.near_memory_cast_GBps", "TB/s", "made up", {1.6, 3.2}));
  REQUIRE(s.points.size() == 2);
  CHECK(s.overrides(s.points[0]) == std::vector<std::string>{"hbm.near_memory_cast_GBps=1600"});
  CHECK(s.overrides(s.points[1]) == std::vector<std::string>{"hbm.near_memory_cast_GBps=3200"});
}
