#pragma once
// The seeded random E4M3 matrices measured on the device, regenerated here:
// the same splitmix64 stream and distributions as
// validate/kernels/numerics/random_fp8.hpp (documented in its README.md),
// implemented independently; the stored FNV-1a hash of every measured case
// checks that both agree.
#include <cstdint>
#include <string_view>
#include <vector>

#include "models/numerics/gemm.hpp"

namespace hwsim::numerics {

enum class RandomDistribution { normal4, uniform_pos, wide };

RandomDistribution random_distribution_by_name(std::string_view name);  // throws hwsim::Error

struct RandomPair {
  CodeMatrix a;  // M x K
  CodeMatrix b;  // N x K
};

RandomPair random_matrices(RandomDistribution dist, int m, int n, int k, uint64_t seed);

// FNV-1a 64 over A's bytes then B's (row-major).
uint64_t fnv1a64(const RandomPair& p);

}  // namespace hwsim::numerics
