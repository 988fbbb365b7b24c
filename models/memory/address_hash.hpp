#pragma once
// Address hashing for L2 slices and HBM channels. NVIDIA does not publish its
// hash; a strong 64-bit mix spreads chunks uniformly, which is what the
// measured flat L2/HBM bandwidth across access patterns implies.
#include <cstdint>

namespace hwsim {

// splitmix64 finaliser (Steele, Lea, Flood 2014): a bijective mix.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace hwsim
