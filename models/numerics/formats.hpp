#pragma once
// Number formats of FP8 training (DeepSeek-V3 report §3.3): the two FP8
// encodings of NVIDIA (E4M3 "fn": no infinity, one NaN per sign; E5M2: IEEE
// style), BF16, FP16, the paper's E5M6 for the attention-output activations,
// and UE8M0 power-of-two scales. Conversions round to nearest even and follow
// the CUDA Toolkit's host conversion functions bit for bit (cuda_fp8.h,
// cuda_bf16.h, cuda_fp16.h), including their NaN and overflow conventions;
// tests/models/numerics/test_formats_cuda.cpp checks that exhaustively.
#include <cstdint>
#include <string_view>

namespace hwsim::numerics {

// How a format spends its top exponent code.
enum class SpecialValues {
  ieee,           // exponent all ones: infinity (mantissa 0) or NaN
  nan_only_ones,  // E4M3: exponent and mantissa all ones is NaN; no infinity
  exponent_only,  // UE8M0: 0xff is NaN; every other code is 2^(code - 127)
};

struct FloatFormat {
  std::string_view name;
  int exp_bits;
  int man_bits;
  int bias;
  SpecialValues specials;
  bool has_sign;

  int total_bits() const { return int(has_sign) + exp_bits + man_bits; }
  double max_finite() const;
  double min_normal() const;
  double min_subnormal() const;
};

inline constexpr FloatFormat kE4M3{"e4m3", 4, 3, 7, SpecialValues::nan_only_ones, true};
inline constexpr FloatFormat kE5M2{"e5m2", 5, 2, 15, SpecialValues::ieee, true};
inline constexpr FloatFormat kBF16{"bf16", 8, 7, 127, SpecialValues::ieee, true};
inline constexpr FloatFormat kFP16{"fp16", 5, 10, 15, SpecialValues::ieee, true};
// E5M6: 12 bits, assumed IEEE-like (FP16's exponent, 6 mantissa bits); the
// report names the format without an encoding (V3 §3.3.3).
inline constexpr FloatFormat kE5M6{"e5m6", 5, 6, 15, SpecialValues::ieee, true};
inline constexpr FloatFormat kUE8M0{"ue8m0", 8, 0, 127, SpecialValues::exponent_only, false};

// Throws hwsim::Error for an unknown name; accepts the names above.
const FloatFormat& format_by_name(std::string_view name);

enum class Overflow {
  saturate,     // to +-max_finite (cuda_fp8.h __NV_SATFINITE; infinities too)
  no_saturate,  // to infinity, or to NaN where the format has none (__NV_NOSAT)
};

// Value of a code (the low total_bits() bits are used). NaN codes give NaN.
double decode(const FloatFormat& f, uint32_t code);
bool is_nan_code(const FloatFormat& f, uint32_t code);

// Round-to-nearest-even conversion of a double. NaN inputs give the CUDA
// canonical NaN of the format (see formats.cpp).
uint32_t encode(const FloatFormat& f, double x, Overflow overflow);
// From FP32: as above, except that every FP32 NaN first becomes 0x7fffffff
// (cuda_fp8.hpp __nv_cvt_float_to_fp8 canonicalises NaNs before converting).
uint32_t encode(const FloatFormat& f, float x, Overflow overflow);

// UE8M0 scales: 2^e for a positive finite x, rounding e up (the scale is never
// smaller than x, so scaled values never overflow), to nearest, or down.
enum class ScaleRounding { up, nearest, down };
uint32_t encode_ue8m0(double x, ScaleRounding rounding);

// FP32 bit patterns (for the outputs of the emulator and the measured data).
uint32_t f32_bits(float x);
float f32_from_bits(uint32_t bits);

}  // namespace hwsim::numerics
