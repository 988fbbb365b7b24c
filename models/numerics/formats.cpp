#include "models/numerics/formats.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "models/spec/error.hpp"

namespace hwsim::numerics {

double FloatFormat::max_finite() const {
  switch (specials) {
    case SpecialValues::ieee:
      return std::ldexp(2.0 - std::ldexp(1.0, -man_bits), (1 << exp_bits) - 2 - bias);
    case SpecialValues::nan_only_ones:
      return std::ldexp(2.0 - std::ldexp(2.0, -man_bits), (1 << exp_bits) - 1 - bias);
    case SpecialValues::exponent_only:
      return std::ldexp(1.0, (1 << exp_bits) - 2 - bias);
  }
  return 0;
}

double FloatFormat::min_normal() const {
  return specials == SpecialValues::exponent_only ? std::ldexp(1.0, -bias) : std::ldexp(1.0, 1 - bias);
}

double FloatFormat::min_subnormal() const {
  return specials == SpecialValues::exponent_only ? min_normal() : std::ldexp(1.0, 1 - bias - man_bits);
}

const FloatFormat& format_by_name(std::string_view name) {
  static const std::array<const FloatFormat*, 6> all = {&kE4M3, &kE5M2, &kBF16, &kFP16, &kE5M6, &kUE8M0};
  for (const FloatFormat* f : all)
    if (f->name == name) return *f;
  throw Error("unknown number format '" + std::string(name) + "' (expected e4m3, e5m2, bf16, fp16, e5m6 or ue8m0)");
}

bool is_nan_code(const FloatFormat& f, uint32_t code) {
  const uint32_t exp_all = (1u << f.exp_bits) - 1, man_all = (1u << f.man_bits) - 1;
  const uint32_t e = (code >> f.man_bits) & exp_all, m = code & man_all;
  switch (f.specials) {
    case SpecialValues::ieee:
      return e == exp_all && m != 0;
    case SpecialValues::nan_only_ones:
      return e == exp_all && m == man_all;
    case SpecialValues::exponent_only:
      return e == exp_all;
  }
  return false;
}

double decode(const FloatFormat& f, uint32_t code) {
  const uint32_t exp_all = (1u << f.exp_bits) - 1, man_all = (1u << f.man_bits) - 1;
  const uint32_t e = (code >> f.man_bits) & exp_all, m = code & man_all;
  const bool negative = f.has_sign && ((code >> (f.exp_bits + f.man_bits)) & 1);
  if (is_nan_code(f, code)) return std::numeric_limits<double>::quiet_NaN();
  double v;
  if (f.specials == SpecialValues::exponent_only) {
    v = std::ldexp(1.0, int(e) - f.bias);
  } else if (f.specials == SpecialValues::ieee && e == exp_all) {
    v = std::numeric_limits<double>::infinity();
  } else if (e == 0) {
    v = std::ldexp(double(m), 1 - f.bias - f.man_bits);
  } else {
    v = std::ldexp(double(m | (1u << f.man_bits)), int(e) - f.bias - f.man_bits);
  }
  return negative ? -v : v;
}

namespace {

// The canonical NaN each CUDA conversion returns: cuda_fp8.hpp gives E4M3
// 0x7f with the input's sign and E5M2 0x7e | (the two leading mantissa bits
// of the double) with its sign; cuda_bf16.hpp and cuda_fp16.hpp give 0x7fff
// without the sign. Other formats follow the BF16/FP16 rule.
uint32_t nan_code(const FloatFormat& f, double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  const uint32_t sign = uint32_t(bits >> 63) << (f.exp_bits + f.man_bits);
  if (f.specials == SpecialValues::nan_only_ones) return sign | ((1u << (f.exp_bits + f.man_bits)) - 1);
  if (f.total_bits() == 8) {
    const uint32_t top = uint32_t(bits >> (52 - f.man_bits)) & ((1u << f.man_bits) - 1);
    return sign | (((1u << f.exp_bits) - 1) << f.man_bits) | (1u << (f.man_bits - 1)) | top;
  }
  return (1u << (f.exp_bits + f.man_bits)) - 1;
}

}  // namespace

uint32_t encode(const FloatFormat& f, double x, Overflow overflow) {
  if (f.specials == SpecialValues::exponent_only) return encode_ue8m0(x, ScaleRounding::nearest);
  if (std::isnan(x)) return nan_code(f, x);
  const uint32_t sign = std::signbit(x) ? 1u << (f.exp_bits + f.man_bits) : 0u;
  const double a = std::fabs(x);
  const uint32_t exp_all = (1u << f.exp_bits) - 1;
  const uint32_t max_code = f.specials == SpecialValues::ieee ? ((exp_all - 1) << f.man_bits) | ((1u << f.man_bits) - 1)
                                                              : (exp_all << f.man_bits) | ((1u << f.man_bits) - 2);
  const auto overflowed = [&]() -> uint32_t {
    if (overflow == Overflow::saturate) return sign | max_code;
    if (f.specials == SpecialValues::ieee) return sign | (exp_all << f.man_bits);
    return nan_code(f, x);
  };
  if (std::isinf(a)) return overflowed();
  if (a == 0) return sign;
  // Quantum of the binade of a (subnormal binades share the smallest one);
  // a / quantum is exact, and nearbyint rounds it to nearest even.
  const int emin = 1 - f.bias;
  const int e = std::max(std::ilogb(a), emin);
  const double q = std::nearbyint(std::ldexp(a, f.man_bits - e));
  const double rounded = std::ldexp(q, e - f.man_bits);
  if (rounded > f.max_finite()) return overflowed();
  if (rounded == 0) return sign;
  const int re = std::max(std::ilogb(rounded), emin);
  const uint32_t sig = uint32_t(std::ldexp(rounded, f.man_bits - re));
  if (sig < (1u << f.man_bits)) return sign | sig;  // subnormal
  return sign | (uint32_t(re + f.bias) << f.man_bits) | (sig - (1u << f.man_bits));
}

uint32_t encode(const FloatFormat& f, float x, Overflow overflow) {
  if (std::isnan(x)) x = std::bit_cast<float>(0x7fffffffu);
  return encode(f, double(x), overflow);
}

uint32_t encode_ue8m0(double x, ScaleRounding rounding) {
  if (!(x > 0) || std::isinf(x)) return 0xff;
  int e = std::ilogb(x);
  const bool exact = std::ldexp(1.0, e) == x;
  if (!exact) {
    if (rounding == ScaleRounding::up) {
      e += 1;
    } else if (rounding == ScaleRounding::nearest) {
      // Ties between 2^e and 2^(e+1) fall at 1.5 * 2^e; round half up.
      if (x >= 1.5 * std::ldexp(1.0, e)) e += 1;
    }
  }
  return uint32_t(std::clamp(e + 127, 0, 254));
}

uint32_t f32_bits(float x) { return std::bit_cast<uint32_t>(x); }
float f32_from_bits(uint32_t bits) { return std::bit_cast<float>(bits); }

}  // namespace hwsim::numerics
