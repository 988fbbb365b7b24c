#include "models/numerics/accumulator.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>
#include <string>

#include "models/numerics/formats.hpp"
#include "models/spec/embedded_file.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {

std::span<const EmbeddedFile> embedded_accumulator_presets();  // generated (cmake/EmbedFiles.cmake)

namespace {

constexpr int kNoExponent = -128;

int bit_length(UInt128 v) {
  const uint64_t hi = uint64_t(v >> 64);
  return hi ? 128 - std::countl_zero(hi) : 64 - std::countl_zero(uint64_t(v));
}

// v * 2^-shift cut to an integer with the given rounding (shift > 0).
Int128 shift_right(Int128 v, int shift, Rounding mode) {
  if (shift >= 126) {
    if (mode == Rounding::toward_neg_inf && v < 0) return -1;
    return 0;
  }
  const bool neg = v < 0;
  const UInt128 mag = neg ? -(UInt128)v : v;
  UInt128 q = mag >> shift;
  const UInt128 rem = mag & ((((UInt128)1) << shift) - 1);
  if (mode == Rounding::nearest_even) {
    const UInt128 half = ((UInt128)1) << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) ++q;
  } else if (mode == Rounding::toward_neg_inf && neg && rem != 0) {
    ++q;
  }
  return neg ? -(Int128)q : (Int128)q;
}

Int128 shift_to(int64_t sig, int exp, int lsb, Rounding mode) {
  if (exp >= lsb) return (Int128)sig << (exp - lsb);
  return shift_right(sig, lsb - exp, mode);
}

}  // namespace

double ExactValue::to_double() const { return std::ldexp(double(sig), exp); }
float ExactValue::to_float() const { return float(std::ldexp(double(sig), exp)); }

ExactValue ExactValue::from_float(float x) {
  if (x == 0 || !std::isfinite(x)) return {0, 0};
  int e = 0;
  const double m = std::frexp(double(x), &e);  // x = m * 2^e, |m| in [0.5, 1)
  return {int64_t(std::ldexp(m, 24)), e - 24};
}

ExactValue round_to_bits(Int128 sum, int lsb, int bits, Rounding mode) {
  if (sum == 0) return {0, 0};
  const UInt128 mag = sum < 0 ? -(UInt128)sum : sum;
  const int len = bit_length(mag);
  if (len <= bits) return {int64_t(sum), lsb};
  const int drop = len - bits;
  Int128 q = shift_right(sum, drop, mode);
  int exp = lsb + drop;
  // Rounding up can carry into a new bit: 1.11..1 -> 10.00..0.
  const UInt128 qm = q < 0 ? -(UInt128)q : q;
  if (bit_length(qm) > bits) {
    q /= 2;
    exp += 1;
  }
  return {int64_t(q), exp};
}

E4M3ProductTable::E4M3ProductTable() {
  // E4M3 code -> (signed significand m, exponent e) with value m * 2^e, m in
  // 0..15: normals 1.f * 2^(E-7) = (8 + f) * 2^(E-10), subnormals f * 2^-9.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const auto split = [](int code, int& m, int& e, int& unbiased) {
        const int exp = (code >> 3) & 15, man = code & 7;
        m = exp == 0 ? man : 8 + man;
        e = exp == 0 ? -9 : exp - 10;
        unbiased = exp == 0 ? -6 : exp - 7;
        if (code & 0x80) m = -m;
      };
      int ma, ea, ua, mb, eb, ub;
      split(a, ma, ea, ua);
      split(b, mb, eb, ub);
      Product& p = table_[(size_t(a) << 8) | b];
      p.sig = int16_t(ma * mb);
      p.exp = int8_t(ea + eb);
      p.input_exp = int8_t(ua + ub);
      p.align_exp = p.sig == 0 ? int8_t(kNoExponent) : int8_t(p.exp + bit_length((UInt128)std::abs(int(p.sig))) - 1);
      if (p.sig == 0) p.input_exp = int8_t(kNoExponent);
    }
  }
}

TensorCoreAccumulator::TensorCoreAccumulator(const AccumulatorParams& params, const E4M3ProductTable& products)
    : params_(params), products_(products) {}

// The Hopper rule's hot path (alignment by e_a + e_b, truncation toward zero,
// accumulator aligned with the products), in 64-bit integers. A product is
// sig * 2^exp with exp <= e_a + e_b - 6 (significands 8..15 carry 3 fraction
// bits each), so relative to lsb = emax - F it needs a left shift of at most
// F - 6 <= 24: pre-shifting by 24 turns every alignment into one right shift.
ExactValue TensorCoreAccumulator::step_truncating(ExactValue c, std::span<const uint8_t> a,
                                                  std::span<const uint8_t> b) const {
  const int fraction_bits = params_.fraction_bits;
  int16_t sig[64];
  int8_t exp[64];
  int emax = kNoExponent;
  const size_t n = a.size();
  for (size_t i = 0; i < n; ++i) {
    const E4M3ProductTable::Product& t = products_(a[i], b[i]);
    sig[i] = t.sig;
    exp[i] = t.exp;
    emax = t.input_exp > emax ? t.input_exp : emax;
  }
  const int c_exp = c.sig == 0 ? kNoExponent : c.exp + 63 - std::countl_zero(uint64_t(std::llabs(c.sig)));
  if (c_exp > emax) emax = c_exp;
  if (emax == kNoExponent) return c;
  const int lsb = emax - fraction_bits;
  int64_t sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t neg = sig[i] < 0 ? -1 : 0;
    const int64_t mag = (int64_t(sig[i]) ^ neg) - neg;
    const int shift = std::clamp(lsb - exp[i] + 24, 0, 63);
    const int64_t cut = (mag << 24) >> shift;
    sum += (cut ^ neg) - neg;
  }
  if (c.sig != 0) {
    const int s = lsb - c.exp;
    const int64_t mag = std::llabs(c.sig);
    const int64_t cut = s <= 0 ? mag << -s : (s > 62 ? 0 : mag >> s);
    sum += c.sig < 0 ? -cut : cut;
  }
  if (sum == 0) return {0, 0};
  // Normalise and truncate to F + 1 significant bits (toward zero, or as set).
  const uint64_t m = uint64_t(sum < 0 ? -sum : sum);
  const int len = 64 - std::countl_zero(m);
  const int bits = fraction_bits + 1;
  if (len <= bits) return {sum, lsb};
  if (params_.normalize_rounding != Rounding::toward_zero)
    return round_to_bits(sum, lsb, bits, params_.normalize_rounding);
  const int64_t q = int64_t(m >> (len - bits));
  return {sum < 0 ? -q : q, lsb + len - bits};
}

ExactValue TensorCoreAccumulator::step(ExactValue c, std::span<const uint8_t> a, std::span<const uint8_t> b) const {
  const AccumulatorParams& p = params_;
  if (p.alignment_rounding == Rounding::toward_zero && p.accumulator_in_alignment &&
      p.alignment_exponent == AlignmentExponent::sum_of_inputs && p.fraction_bits <= 30 && a.size() <= 64) {
    return step_truncating(c, a, b);
  }
  const bool by_inputs = p.alignment_exponent == AlignmentExponent::sum_of_inputs;
  int emax = kNoExponent;
  for (size_t i = 0; i < a.size(); ++i) {
    const E4M3ProductTable::Product& t = products_(a[i], b[i]);
    const int e = by_inputs ? t.input_exp : t.align_exp;
    emax = e > emax ? e : emax;
  }
  const int c_exp = c.sig == 0 ? kNoExponent : c.exp + bit_length((UInt128)std::llabs(c.sig)) - 1;
  if (p.accumulator_in_alignment && c_exp > emax) emax = c_exp;
  if (emax == kNoExponent) return c;  // all products zero and (c zero or not aligned)
  const int lsb = emax - p.fraction_bits;
  Int128 sum = 0;
  if (p.alignment_rounding == Rounding::toward_zero && p.fraction_bits <= 40) {
    // Hot path (the Hopper rule): products have at most 8 significant bits
    // and lie at or below 2^(emax+1), so each aligned term is below 2^(F+2)
    // and 64-bit sums are exact. Truncation toward zero acts on magnitudes.
    int64_t sum64 = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const E4M3ProductTable::Product& t = products_(a[i], b[i]);
      const int s = lsb - t.exp;
      const int64_t mag = t.sig < 0 ? -int64_t(t.sig) : int64_t(t.sig);
      const int64_t cut = s <= 0 ? mag << -s : (s > 62 ? 0 : mag >> s);
      sum64 += t.sig < 0 ? -cut : cut;
    }
    sum = sum64;
  } else {
    for (size_t i = 0; i < a.size(); ++i) {
      const E4M3ProductTable::Product& t = products_(a[i], b[i]);
      if (t.sig != 0) sum += shift_to(t.sig, t.exp, lsb, p.alignment_rounding);
    }
  }
  const int bits = p.fraction_bits + 1;
  if (p.accumulator_in_alignment) {
    if (c.sig != 0) sum += shift_to(c.sig, c.exp, lsb, p.alignment_rounding);
    return round_to_bits(sum, lsb, bits, p.normalize_rounding);
  }
  // c added to the group's exact sum, then one rounding. The exponents of c
  // and the sum are bounded by FP32's range, so the common fixed point fits
  // in 128 bits unless one term is negligible; then keep only a sticky bit.
  if (c.sig == 0) return round_to_bits(sum, lsb, bits, p.normalize_rounding);
  if (sum == 0) return round_to_bits(c.sig, c.exp, bits, p.normalize_rounding);
  const int lo = std::min(lsb, c.exp);
  const int hi_c = c.exp - lo, hi_s = lsb - lo;
  if (hi_c < 60 && hi_s < 60) {
    const Int128 total = ((Int128)c.sig << hi_c) + (sum << hi_s);
    return round_to_bits(total, lo, bits, p.normalize_rounding);
  }
  // One side is more than 2^60 times the other: compute at 70 bits below the
  // larger one with a sticky bit for the smaller one.
  const bool c_big = c_exp > lsb + bit_length(sum < 0 ? -(UInt128)sum : sum);
  const ExactValue big = c_big ? c : ExactValue{int64_t(sum), lsb};
  const int small_sign = c_big ? (sum < 0 ? -1 : 1) : (c.sig < 0 ? -1 : 1);
  const Int128 scaled = ((Int128)big.sig << 40) * 4 + small_sign;
  return round_to_bits(scaled, big.exp - 42, bits, p.normalize_rounding);
}

ExactValue TensorCoreAccumulator::chain(ExactValue c, std::span<const uint8_t> a, std::span<const uint8_t> b) const {
  const size_t g = size_t(params_.group_size);
  for (size_t k = 0; k < a.size(); k += g) {
    const size_t n = std::min(g, a.size() - k);
    c = step(c, a.subspan(k, n), b.subspan(k, n));
  }
  return c;
}

namespace {

// The presets' values and sources live in accumulators.yaml, compiled in.
const YAML::Node& presets_yaml() {
  static const YAML::Node root = [] {
    for (const EmbeddedFile& f : embedded_accumulator_presets())
      if (f.name == "accumulators.yaml") return YAML::Load(std::string(f.text));
    throw Error("accumulators.yaml is not compiled in");
  }();
  return root;
}

Rounding rounding_by_name(const std::string& v, const std::string& where) {
  if (v == "toward_zero") return Rounding::toward_zero;
  if (v == "toward_neg_inf") return Rounding::toward_neg_inf;
  if (v == "nearest_even") return Rounding::nearest_even;
  throw Error(where + ": '" + v + "' is not toward_zero, toward_neg_inf or nearest_even");
}

AccumulatorPreset load_preset(const std::string& name) {
  const YAML::Node node = presets_yaml()[name];
  if (!node) throw Error("accumulators.yaml: no preset '" + name + "'");
  const std::string where = "accumulators.yaml: " + name;
  AccumulatorPreset preset;
  AccumulatorParams& p = preset.params;
  p.name = name;
  const std::set<std::string> known = {"description",
                                       "group_size",
                                       "fraction_bits",
                                       "alignment_rounding",
                                       "normalize_rounding",
                                       "alignment_exponent",
                                       "accumulator_in_alignment",
                                       "cublaslt_promote_every"};
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (!known.count(key)) throw Error(where + ": unknown key '" + key + "'");
    if (key == "description") continue;
    const YAML::Node v = kv.second["value"];
    if (!v || !kv.second["source"]) throw Error(where + "." + key + ": expected {value, source}");
    preset.sources[key] = kv.second["source"].as<std::string>();
    try {
      if (key == "group_size") p.group_size = v.as<int>();
      if (key == "fraction_bits") p.fraction_bits = v.as<int>();
      if (key == "alignment_rounding") p.alignment_rounding = rounding_by_name(v.as<std::string>(), where + "." + key);
      if (key == "normalize_rounding") p.normalize_rounding = rounding_by_name(v.as<std::string>(), where + "." + key);
      if (key == "accumulator_in_alignment") p.accumulator_in_alignment = v.as<bool>();
      if (key == "cublaslt_promote_every") preset.cublaslt_promote_every = v.as<int>();
      if (key == "alignment_exponent") {
        const std::string e = v.as<std::string>();
        if (e != "product" && e != "sum_of_inputs")
          throw Error(where + "." + key + ": expected product or sum_of_inputs");
        p.alignment_exponent = e == "product" ? AlignmentExponent::product : AlignmentExponent::sum_of_inputs;
      }
    } catch (const YAML::Exception& e) {
      throw Error(where + "." + key + ": " + e.what());
    }
  }
  if (p.group_size < 1 || p.group_size > 1024) throw Error(where + ".group_size: must be in 1..1024");
  if (p.fraction_bits < 4 || p.fraction_bits > 40) throw Error(where + ".fraction_bits: must be in 4..40");
  return preset;
}

}  // namespace

AccumulatorPreset accumulator_preset_with_sources(std::string_view name) { return load_preset(std::string(name)); }

AccumulatorParams accumulator_preset(std::string_view spec) {
  if (spec == "hopper" || spec == "fp32_exact") return load_preset(std::string(spec)).params;
  if (spec.rfind("bits=", 0) == 0) {
    const std::string n(spec.substr(5));
    int bits = 0;
    try {
      size_t used = 0;
      bits = std::stoi(n, &used);
      if (used != n.size()) throw std::invalid_argument(n);
    } catch (const std::exception&) {
      throw Error("--accumulator " + std::string(spec) + ": expected bits=N with N an integer in 4..40");
    }
    if (bits < 4 || bits > 40)
      throw Error("--accumulator " + std::string(spec) + ": N must be in 4..40 (fraction bits kept)");
    // The report's proposal (V3 §3.5.2): Hopper's structure with a wider accumulator.
    AccumulatorParams p = load_preset("hopper").params;
    p.name = "bits=" + n;
    p.fraction_bits = bits;
    return p;
  }
  throw Error("--accumulator '" + std::string(spec) + "': expected hopper, fp32_exact or bits=N");
}

std::string describe(const AccumulatorParams& p) {
  const auto r = [](Rounding m) {
    return m == Rounding::toward_zero ? "toward zero" : m == Rounding::toward_neg_inf ? "toward -inf" : "nearest even";
  };
  return fmt::format(
      "{}: groups of {} products, {} fraction bits, alignment cut {}, normalisation {}, "
      "accumulator {} the alignment, exponent of {}",
      p.name, p.group_size, p.fraction_bits, r(p.alignment_rounding), r(p.normalize_rounding),
      p.accumulator_in_alignment ? "joins" : "outside",
      p.alignment_exponent == AlignmentExponent::product ? "the product" : "e_a + e_b");
}

}  // namespace hwsim::numerics
