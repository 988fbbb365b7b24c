#include "models/sm/tensor_core.hpp"

#include <algorithm>

namespace hwsim {

int wgmma_k(DataType dtype) { return 32 / bytes_of(dtype); }

WgmmaTiming wgmma_timing(const TensorCoreParams& tc, DataType dtype, int m, int n, int k) {
  const double rate = tc.flop_per_clk(dtype);
  const double flops = 2.0 * m * n * k;
  const double full = 2.0 * 64 * 256 * wgmma_k(dtype);  // the instruction wgmma_latency_cycles was measured on
  const double latency = std::max(tc.wgmma_min_latency_cycles, tc.wgmma_latency_cycles * flops / full);
  const double issue = flops / rate;
  return {issue, std::max(latency, issue)};
}

}  // namespace hwsim
