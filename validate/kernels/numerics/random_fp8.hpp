#pragma once
// The seeded generator of the random FP8 (E4M3) matrices measured by
// hwnumerics. It is documented in README.md and re-implemented, on purpose
// without sharing code, in models/numerics/random_matrices.*; the FNV-1a hash
// stored with every measured case proves that both produce the same bytes.
//
// splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014) drives every draw; A (M x K, row-major) is drawn
// first, then B (N x K, row-major), from one stream seeded with `seed`.
// Distributions, one 64-bit draw per element:
//   normal4     : x = (u0+u1+u2+u3 - 131070) * 2^-9, u_i the four 16-bit fields
//                 (Irwin-Hall sum of four uniforms: bell-shaped, |x| <= 256)
//   uniform_pos : x = ((draw >> 48) + 1) * 2^-8, in (0, 256]
//   wide        : the E4M3 code is draw >> 56; NaN codes (0x7f, 0xff) become 0x7e, 0xfe
// x is converted to E4M3 by round-to-nearest-even with saturation to +-448
// (cuda_fp8.h __nv_cvt_double_to_fp8 with __NV_SATFINITE). x is exact in double.
#include <cstdint>
#include <string>
#include <vector>

namespace hwnumerics {

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

enum class Distribution { normal4, uniform_pos, wide };

const char* to_string(Distribution d);

// One E4M3 code from one draw (see the table above).
uint8_t draw_e4m3(SplitMix64& rng, Distribution d);

// FNV-1a 64-bit over the bytes of A then B.
uint64_t fnv1a64(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b);

}  // namespace hwnumerics
