#pragma once
// Error of emulated FP8 GEMMs against an FP64 reference of the same E4M3
// inputs, as a function of K (DeepSeek-V3 §3.3.2: "maximum relative error of
// nearly 2%" at K = 4096 without promotion). Only the accumulation error is
// measured: the inputs are already E4M3 and the reference sums their exact
// products in double.
#include <cstdint>
#include <string>
#include <vector>

#include "models/numerics/gemm.hpp"
#include "models/numerics/random_matrices.hpp"

namespace hwsim::numerics {

struct ErrorConfig {
  std::string label;  // "hopper", "hopper+promote128", "fp32_exact", "bits=16"
  GemmOptions options;
};

struct ErrorRow {
  int k = 0;
  std::string config;
  double max_rel = 0;          // max over elements of |c - ref| / |ref| (ref != 0)
  double mean_rel = 0;         // mean of the same
  double norm_rel = 0;         // max |c - ref| / max |ref|
  double mean_signed_rel = 0;  // mean of (c - ref) / |ref|: the bias of truncation
};

struct ErrorStudy {
  RandomDistribution distribution = RandomDistribution::uniform_pos;
  int m = 64, n = 64;
  uint64_t seed = 1;
  std::vector<int> ks;
  std::vector<ErrorConfig> configs;
};

// One row per (K, config), K outermost. Inputs for each K are drawn with
// seed + K, so rows of one K share their inputs across configs.
std::vector<ErrorRow> run_error_study(const ErrorStudy& study);

}  // namespace hwsim::numerics
