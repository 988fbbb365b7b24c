#pragma once
// The FP8 GEMM accumulation error a GPU description implies: Hopper's measured
// accumulation rule (models/numerics/accumulators.yaml) with the description's
// tensor_core.fp8_accum_fraction_bits, at one K, promoted into FP32 every N
// products of K or never. Shared by `hwsim numerics error --gpu` and
// `hwsim run --fp8-error-k`, so a sweep over the fraction bits (or the
// accumulation_precision proposal's spec delta) moves the error it reports.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "models/numerics/gemm.hpp"
#include "models/spec/hardware_spec.hpp"

namespace hwsim::cli {

struct Fp8ErrorOptions {
  int k = 7168;  // DeepSeek-V3's hidden size: the K of its attention and MoE up-projections
  int m = 64, n = 64;
  std::optional<int> promote_every = 128;  // cuBLASLt and DeepGEMM: every 128 (V3 3.3.2 N_C)
  std::uint64_t seed = 1;
  std::string distribution = "uniform_pos";
};

// The accumulator the description implies: the hopper preset, its fraction bits from the spec.
numerics::AccumulatorParams accumulator_of(const HardwareSpec& spec);
// {k, m, n, fraction_bits, promote_every (null: never), max_rel, mean_rel, norm_rel}.
nlohmann::json fp8_gemm_error(const HardwareSpec& spec, const Fp8ErrorOptions& o);

}  // namespace hwsim::cli
