// Fuzz target: sweep files (apps/hwsim/sweep/sweep_spec.cpp), read, expanded
// into points and turned into the first points' `hwsim run` arguments, as
// `hwsim sweep run` does before running anything.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/hwsim/sweep/sweep_spec.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto path = hwsim::fuzz::input_file("sweep.yaml", text);
  hwsim::fuzz::expect_clean_error([&] {
    const hwsim::sweep::SweepSpec spec = hwsim::sweep::read_sweep(path);
    const auto points = hwsim::sweep::expand(spec);
    for (size_t i = 0; i < std::min<size_t>(points.size(), 4); ++i) {
      (void)hwsim::sweep::point_arguments(spec, points[i]);
      (void)hwsim::sweep::point_spec(spec, points[i], "fuzz").dump();
    }
  });
  return 0;
}
