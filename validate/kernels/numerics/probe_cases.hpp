#pragma once
// Inputs measured by hwnumerics: hand-designed probe matrices that expose the
// accumulation rule of the FP8 tensor cores (kept bits, truncation versus
// rounding, the size of the fused group, whether the running accumulator joins
// the alignment, subnormals, cancellation), and seeded random matrices.
#include <cstdint>
#include <string>
#include <vector>

#include "random_fp8.hpp"

namespace hwnumerics {

struct MatmulCase {
  std::string name;
  std::string description;
  int m = 0, n = 0, k = 0;
  std::vector<uint8_t> a;  // M x K E4M3 codes, row-major (K contiguous)
  std::vector<uint8_t> b;  // N x K E4M3 codes, row-major (K contiguous)
  std::vector<float> c;    // M x N initial accumulator of the wgmma chain (cuBLASLt runs with beta = 0)
  // Random cases only: how the inputs were generated.
  bool random = false;
  uint64_t seed = 0;
  Distribution dist = Distribution::normal4;
};

// Every probe case is M = 64, N = 16, K = 256 (8 wgmma k32 steps, 2 blocks of 128).
std::vector<MatmulCase> probe_cases();

// M = N = 64 random matrices for each K in `ks`.
MatmulCase random_case(Distribution dist, int k, uint64_t seed);

// Exact E4M3 code of a value that is representable (aborts otherwise).
uint8_t e4m3_exact(double x);
double e4m3_value(uint8_t code);

}  // namespace hwnumerics
