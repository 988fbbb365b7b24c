#pragma once
// One simulator of the shared H100 description per test program (its result
// memo is shared by the test files that use it, as within one file before).
#include "tests/support/h100.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::testing {

inline GpuSimulator& h100_simulator() {
  static GpuSimulator sim(h100());
  return sim;
}

}  // namespace hwsim::testing
