// Fuzz target: the JSON inputs of `hwsim numerics` (models/numerics/): each
// input is read both as `numerics gemm --in` reads its matrices
// (gemm_input.cpp), then emulated, and as `numerics check` and `numerics
// evidence` read a measurement file (measurement.cpp), then compared with the
// emulator where the case is small (at most 2^20 multiply-adds, so that one
// input stays well under the time limit; larger cases are the model's cost,
// not the reader's).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/numerics/accumulator.hpp"
#include "models/numerics/gemm_input.hpp"
#include "models/numerics/measurement.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace nu = hwsim::numerics;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const nu::GemmOptions options{nu::accumulator_preset("hopper"), 128};
  hwsim::fuzz::expect_clean_error([&] {
    const nu::GemmInput in = nu::parse_gemm_input(text, "gemm.json");
    (void)nu::emulate_gemm(in.a, in.b, options);
  });
  hwsim::fuzz::expect_clean_error([&] {
    for (const nu::MeasuredCase& c : nu::parse_measurement(text, "measurement.json").cases) {
      if (c.a.rows() * c.b.rows() * c.a.cols() > (1 << 20)) continue;
      for (nu::MeasuredPath p : nu::kMeasuredPaths) (void)nu::compare(c, p, options);
    }
  });
  return 0;
}
