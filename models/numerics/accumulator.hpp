#pragma once
// The FP8 tensor-core accumulation model: how one fused group of products and
// the running accumulator are added, with every choice a parameter, so that
// the measured Hopper rule, full FP32 and the wider accumulators proposed by
// the DeepSeek-V3 report (§3.5.2) are presets of one implementation.
//
// One step over a group of G products p_i = a_i * b_i (exact) and the running
// accumulator c:
//   1. E = the largest exponent among the products (and c when
//      accumulator_in_alignment), exponents measured as `alignment_exponent`;
//   2. every term is cut to a multiple of 2^(E - fraction_bits)
//      (`alignment_rounding`: toward zero, toward -inf, or nearest-even);
//   3. the cut terms are added exactly (fixed point);
//   4. the sum (plus c when it is not aligned with the products, added exactly)
//      is normalised and rounded to fraction_bits + 1 significant bits
//      (`normalize_rounding`); that is the new c.
// fraction_bits = 23 with nearest-even rounding and a large group is the
// fp32_exact preset: every step is one correctly rounded FP32 sum.
// Contract: inputs are E4M3 codes (NaN codes are rejected by the callers);
// the result of a chain is exactly representable in FP32.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hwsim::numerics {

// 128-bit fixed point for the aligned sums (a GCC/Clang extension; __extension__
// keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class Rounding { toward_zero, toward_neg_inf, nearest_even };
enum class AlignmentExponent {
  product,       // floor(log2 |p|) of the exact product
  sum_of_inputs  // e_a + e_b: the product's significand kept in [1, 4) (Khattak & Mikaitis)
};

// Defaults describe no hardware (sequential FP32-like); the hardware rules
// come from the presets in accumulators.yaml, each value with its source.
struct AccumulatorParams {
  std::string name = "custom";
  int group_size = 1;      // products fused per step
  int fraction_bits = 23;  // bits kept below the leading bit of the aligned sum
  Rounding alignment_rounding = Rounding::nearest_even;
  Rounding normalize_rounding = Rounding::nearest_even;
  AlignmentExponent alignment_exponent = AlignmentExponent::product;
  bool accumulator_in_alignment = false;
};

// A preset with the source of each parameter (accumulators.yaml).
struct AccumulatorPreset {
  AccumulatorParams params;
  std::optional<int> cublaslt_promote_every;  // measured promotion interval of cuBLASLt without fast accumulation
  std::map<std::string, std::string> sources;
};
AccumulatorPreset accumulator_preset_with_sources(std::string_view name);

// Presets: "hopper" (measured, docs/numerics.md), "fp32_exact", and
// "bits=N" (Hopper's structure with N fraction bits, the report's proposal of
// a wider accumulator). Throws hwsim::Error naming the spec otherwise.
AccumulatorParams accumulator_preset(std::string_view spec);
std::string describe(const AccumulatorParams& p);

// A value sig * 2^exp; the accumulator's state between steps.
struct ExactValue {
  int64_t sig = 0;
  int exp = 0;
  double to_double() const;
  float to_float() const;  // exact when sig has <= 24 significant bits
  static ExactValue from_float(float x);
};

// Precomputed products of every pair of E4M3 codes.
class E4M3ProductTable {
 public:
  E4M3ProductTable();
  struct Product {
    int16_t sig;       // signed significand product (|sig| <= 225)
    int8_t exp;        // value = sig * 2^exp
    int8_t align_exp;  // floor(log2|p|); -128 for zero
    int8_t input_exp;  // e_a + e_b (unbiased, subnormals at 1 - bias)
  };
  const Product& operator()(uint8_t a, uint8_t b) const { return table_[(size_t(a) << 8) | b]; }

 private:
  Product table_[65536];
};

// The tensor core's running accumulation of one output element.
class TensorCoreAccumulator {
 public:
  TensorCoreAccumulator(const AccumulatorParams& params, const E4M3ProductTable& products);
  // c <- c + sum_k a[k] * b[k] over one group (a.size() <= group_size).
  ExactValue step(ExactValue c, std::span<const uint8_t> a, std::span<const uint8_t> b) const;
  // c + a.b over a whole K, group by group (no promotion).
  ExactValue chain(ExactValue c, std::span<const uint8_t> a, std::span<const uint8_t> b) const;
  const AccumulatorParams& params() const { return params_; }

 private:
  ExactValue step_truncating(ExactValue c, std::span<const uint8_t> a, std::span<const uint8_t> b) const;
  AccumulatorParams params_;
  const E4M3ProductTable& products_;
};

// Rounds the exact value sum * 2^lsb to `bits` significant bits.
ExactValue round_to_bits(Int128 sum, int lsb, int bits, Rounding mode);

}  // namespace hwsim::numerics
