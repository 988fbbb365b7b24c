#include "models/sm/tensor_core.hpp"

#include <algorithm>

namespace hwsim {

int wgmma_k(DataType dtype) { return 32 / bytes_of(dtype); }

WgmmaTiming wgmma_timing(const TensorCoreParams& tc, DataType dtype, int m, int n, int k) {
  const double rate = tc.flop_per_clk(dtype);
  const double flops = 2.0 * m * n * k;
  // Latency grows linearly with the instruction's work between the two
  // calibrated points, m64n64 (wgmma_min_latency_cycles) and m64n256
  // (wgmma_latency_cycles): the H100 microbenchmark's m64n128 (118.5 cycles)
  // falls on that line within 1 cycle. Smaller shapes take the floor.
  const double small = 2.0 * 64 * 64 * wgmma_k(dtype);
  const double full = 2.0 * 64 * 256 * wgmma_k(dtype);
  const double latency =
      std::max(tc.wgmma_min_latency_cycles,
               tc.wgmma_min_latency_cycles +
                   (tc.wgmma_latency_cycles - tc.wgmma_min_latency_cycles) * (flops - small) / (full - small));
  const double issue = flops / rate;
  return {issue, std::max(latency, issue)};
}

}  // namespace hwsim
