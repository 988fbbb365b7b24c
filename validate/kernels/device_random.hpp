// Seeded counter-based random numbers (splitmix64 finaliser), identical on
// host and device, so CPU references can regenerate any input element.
#pragma once
#include <cstdint>

namespace hwbench {

__host__ __device__ inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Uniform magnitude in [1/64, 1] with a random sign: never zero, so an
// unwritten output or a dropped term shows.
__host__ __device__ inline float random_unit_value(uint64_t seed, uint64_t index) {
  const uint64_t h = mix64(seed * 0x100000001b3ull ^ mix64(index));
  const float u = static_cast<float>(h >> 40) * (1.0f / 16777216.0f);
  const float mag = 1.0f / 64.0f + u * (1.0f - 1.0f / 64.0f);
  return (h & 1u) ? -mag : mag;
}

}  // namespace hwbench
