// Probe design (see README.md for what each probe shows). Every probe case
// crosses 64 rows of A with 16 columns of B. B's columns scale the rows: most
// are constant over K, so that row r of A crossed with column j is the sum of
// A[r][:] times one constant (exposing the rule on sums of plain E4M3 values),
// and the last eight are seeded random codes of any exponent.
#include "probe_cases.hpp"

#include <cuda_fp8.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace hwnumerics {

const char* to_string(Distribution d) {
  switch (d) {
    case Distribution::normal4:
      return "normal4";
    case Distribution::uniform_pos:
      return "uniform_pos";
    case Distribution::wide:
      return "wide";
  }
  return "?";
}

uint8_t draw_e4m3(SplitMix64& rng, Distribution d) {
  const uint64_t u = rng.next();
  switch (d) {
    case Distribution::normal4: {
      const int64_t s =
          int64_t(u & 0xffff) + int64_t((u >> 16) & 0xffff) + int64_t((u >> 32) & 0xffff) + int64_t(u >> 48) - 131070;
      return __nv_cvt_double_to_fp8(std::ldexp(double(s), -9), __NV_SATFINITE, __NV_E4M3);
    }
    case Distribution::uniform_pos:
      return __nv_cvt_double_to_fp8(std::ldexp(double((u >> 48) + 1), -8), __NV_SATFINITE, __NV_E4M3);
    case Distribution::wide: {
      uint8_t code = uint8_t(u >> 56);
      if ((code & 0x7f) == 0x7f) code = uint8_t(code - 1);
      return code;
    }
  }
  return 0;
}

uint64_t fnv1a64(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto* v : {&a, &b}) {
    for (uint8_t byte : *v) {
      h ^= byte;
      h *= 0x100000001b3ull;
    }
  }
  return h;
}

double e4m3_value(uint8_t code) {
  const int sign = code >> 7, exp = (code >> 3) & 0xf, man = code & 7;
  double v = exp == 0 ? std::ldexp(double(man), -9) : std::ldexp(1.0 + man / 8.0, exp - 7);
  return sign ? -v : v;
}

uint8_t e4m3_exact(double x) {
  const uint8_t code = __nv_cvt_double_to_fp8(x, __NV_NOSAT, __NV_E4M3);
  if (e4m3_value(code) != x) {
    std::fprintf(stderr, "probe value %.17g is not exact in E4M3\n", x);
    std::abort();
  }
  return code;
}

namespace {

constexpr int kM = 64, kN = 16, kK = 256;

MatmulCase make_case(const char* name, const char* description, uint64_t seed) {
  MatmulCase c;
  c.name = name;
  c.description = description;
  c.m = kM;
  c.n = kN;
  c.k = kK;
  c.a.assign(size_t(kM) * kK, 0);
  c.b.assign(size_t(kN) * kK, 0);
  c.c.assign(size_t(kM) * kN, 0.0f);
  // Columns 0..7: constants 1, 1.125, 1.875, 0.5, 2^-6 (smallest normal),
  // 2^-9 (smallest subnormal), 448 (largest finite), -1. Columns 8..15: random.
  const double consts[8] = {1.0, 1.125, 1.875, 0.5, std::ldexp(1.0, -6), std::ldexp(1.0, -9), 448.0, -1.0};
  for (int j = 0; j < 8; ++j)
    for (int k = 0; k < kK; ++k) c.b[size_t(j) * kK + k] = e4m3_exact(consts[j]);
  SplitMix64 rng{seed};
  for (int j = 8; j < kN; ++j)
    for (int k = 0; k < kK; ++k) c.b[size_t(j) * kK + k] = draw_e4m3(rng, Distribution::wide);
  return c;
}

void set(MatmulCase& c, int row, int k, double v) { c.a[size_t(row) * c.k + k] = e4m3_exact(v); }
double p2(int e) { return std::ldexp(1.0, e); }

}  // namespace

std::vector<MatmulCase> probe_cases() {
  std::vector<MatmulCase> cases;
  {
    MatmulCase c =
        make_case("kept_bits",
                  "rows 0-16: 256 + 2^(7-r); rows 17-33: 256 - 2^(7-(r-17)); rows 34-50: -256 + 2^(7-(r-34)); "
                  "rows 51-63: 448 + 2^(6-(r-51)) (large term at k=0, small at k=1)",
                  101);
    for (int r = 0; r < 17; ++r) {
      set(c, r, 0, 256);
      set(c, r, 1, p2(7 - r));
    }
    for (int r = 17; r < 34; ++r) {
      set(c, r, 0, 256);
      set(c, r, 1, -p2(7 - (r - 17)));
    }
    for (int r = 34; r < 51; ++r) {
      set(c, r, 0, -256);
      set(c, r, 1, p2(7 - (r - 34)));
    }
    for (int r = 51; r < 64; ++r) {
      set(c, r, 0, 448);
      set(c, r, 1, p2(6 - (r - 51)));
    }
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c = make_case("sum_then_round",
                             "256 plus n copies of 2^-e in one k32 group (rows 0-31, positive; 32-47 negative copies), "
                             "and 256 at k=0 with the copies in the next group k=32.. (rows 48-63)",
                             102);
    // n copies of 2^e: per-term truncation loses them all, a wide exact sum keeps them.
    const int counts[8] = {2, 3, 4, 7, 8, 15, 16, 31};
    for (int r = 0; r < 32; ++r) {
      const int n = counts[r % 8], e = -3 - (r / 8) * 2;  // 2^-3, 2^-5, 2^-7, 2^-9
      set(c, r, 0, 256);
      for (int i = 0; i < n; ++i) set(c, r, 1 + i, p2(e));
    }
    for (int r = 32; r < 48; ++r) {
      const int n = counts[r % 8], e = -3 - ((r - 32) / 8) * 4;  // 2^-3, 2^-7
      set(c, r, 0, 256);
      for (int i = 0; i < n; ++i) set(c, r, 1 + i, -p2(e));
    }
    for (int r = 48; r < 64; ++r) {
      const int n = counts[r % 8], e = -3 - ((r - 48) / 8) * 4;
      set(c, r, 0, 256);
      for (int i = 0; i < n; ++i) set(c, r, 32 + i, p2(e));
    }
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c = make_case("group_boundary",
                             "+256 at k=0, -256 at k=1, 2^-9 at k=r+2 (rows 0-61); rows 62-63: +256 at k=0, -256 at "
                             "k=32 or k=31, 2^-9 at k=16",
                             103);
    for (int r = 0; r < 62; ++r) {
      set(c, r, 0, 256);
      set(c, r, 1, -256);
      set(c, r, r + 2, p2(-9));
    }
    set(c, 62, 0, 256);
    set(c, 62, 32, -256);
    set(c, 62, 16, p2(-9));
    set(c, 63, 0, 256);
    set(c, 63, 31, -256);
    set(c, 63, 16, p2(-9));
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c = make_case("group_pairs",
                             "a cancelling pair +-256 at random positions p<q in k 0..127 and 2^-9 at a random "
                             "position s (seeded); shows which k share one fused group",
                             104);
    SplitMix64 rng{2024};
    for (int r = 0; r < 64; ++r) {
      int p = int(rng.next() % 128), q = int(rng.next() % 128), s = int(rng.next() % 128);
      while (q == p) q = int(rng.next() % 128);
      while (s == p || s == q) s = int(rng.next() % 128);
      set(c, r, p, 256);
      set(c, r, q, -256);
      set(c, r, s, p2(-9) * ((r & 1) ? 3 : 1));
    }
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c =
        make_case("accumulator",
                  "initial accumulator (wgmma only) with many significant bits, with no products (rows 0-23), "
                  "with a small product (rows 24-47) and a product larger than it (rows 48-63)",
                  105);
    for (int r = 0; r < 64; ++r) {
      for (int j = 0; j < kN; ++j) {
        // 1 + 2^-t for t = 1..24 scaled by 2^j: bits beyond the kept width show whether D = C is exact.
        const int t = 1 + (r % 24);
        c.c[size_t(r) * kN + j] = float(std::ldexp(1.0 + std::ldexp(1.0, -t) + std::ldexp(1.0, -23), j - 4));
        if (j % 2) c.c[size_t(r) * kN + j] = -c.c[size_t(r) * kN + j];
      }
      if (r >= 24 && r < 48) set(c, r, 5, p2(-9 + (r - 24) % 8));
      if (r >= 48) {
        set(c, r, 7, 448);
        set(c, r, 40, p2(-6));
      }
    }
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c = make_case("subnormal",
                             "subnormal E4M3 values (m * 2^-9) summed alone (rows 0-31) and beside normal values "
                             "(rows 32-63); column 5 multiplies them by 2^-9",
                             106);
    SplitMix64 rng{606};
    for (int r = 0; r < 64; ++r) {
      for (int k = 0; k < kK; ++k) {
        const uint64_t u = rng.next();
        const int m = int(u % 8);
        double v = std::ldexp(double(m), -9) * ((u >> 8) & 1 ? -1 : 1);
        if (r >= 32 && (u >> 16) % 4 == 0) v = std::ldexp(1.0 + double((u >> 20) % 8) / 8, int((u >> 24) % 6) - 6);
        set(c, r, k, v);
      }
    }
    cases.push_back(std::move(c));
  }
  {
    MatmulCase c = make_case("cancellation",
                             "large terms that cancel exactly or nearly, leaving a small residue plus small terms "
                             "(seeded); tests normalisation after cancellation",
                             107);
    SplitMix64 rng{707};
    for (int r = 0; r < 64; ++r) {
      for (int i = 0; i < 8; ++i) {
        const int p = int(rng.next() % kK);
        const uint8_t code = uint8_t(0x60 + rng.next() % 0x17);  // 16 .. 448
        c.a[size_t(r) * kK + p] = code;
        int q = int(rng.next() % kK);
        while (q == p) q = int(rng.next() % kK);
        uint8_t neg = uint8_t(code | 0x80);
        if (rng.next() % 2) neg = uint8_t(neg - 1);  // near-cancel: one step smaller
        c.a[size_t(r) * kK + q] = neg;
      }
      for (int i = 0; i < 6; ++i) {
        int s = int(rng.next() % kK);
        if (c.a[size_t(r) * kK + s] == 0)
          c.a[size_t(r) * kK + s] = uint8_t(rng.next() % 0x30);  // small, may be subnormal
      }
    }
    cases.push_back(std::move(c));
  }
  for (int i = 0; i < 2; ++i) {
    MatmulCase c = make_case(i == 0 ? "random_wide_a" : "random_wide_b",
                             "every A code drawn from all finite E4M3 codes (seeded 'wide' distribution)", 108 + i);
    SplitMix64 rng{uint64_t(808 + i)};
    for (auto& v : c.a) v = draw_e4m3(rng, Distribution::wide);
    cases.push_back(std::move(c));
  }
  return cases;
}

MatmulCase random_case(Distribution dist, int k, uint64_t seed) {
  MatmulCase c;
  c.name = std::string("random_") + to_string(dist) + "_k" + std::to_string(k);
  c.description = "seeded random matrices (random_fp8.hpp)";
  c.m = 64;
  c.n = 64;
  c.k = k;
  c.random = true;
  c.seed = seed;
  c.dist = dist;
  SplitMix64 rng{seed};
  c.a.resize(size_t(c.m) * k);
  c.b.resize(size_t(c.n) * k);
  for (auto& v : c.a) v = draw_e4m3(rng, dist);
  for (auto& v : c.b) v = draw_e4m3(rng, dist);
  c.c.assign(size_t(c.m) * c.n, 0.0f);
  return c;
}

}  // namespace hwnumerics
