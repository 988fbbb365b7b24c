#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "models/numerics/accumulator.hpp"
#include "models/numerics/formats.hpp"
#include "models/numerics/gemm.hpp"
#include "models/numerics/random_matrices.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::numerics;

namespace {

uint8_t q(double x) {
  const uint32_t c = encode(kE4M3, x, Overflow::no_saturate);
  REQUIRE(decode(kE4M3, c) == x);
  return uint8_t(c);
}

// a . ones (b = 1.0 everywhere) through the chain from c = 0.
double sum_of(const AccumulatorParams& p, const std::vector<double>& a) {
  static const E4M3ProductTable table;
  std::vector<uint8_t> ac, bc;
  for (double x : a) {
    ac.push_back(q(x));
    bc.push_back(q(1.0));
  }
  return TensorCoreAccumulator(p, table).chain({}, ac, bc).to_double();
}

std::vector<double> padded(std::vector<std::pair<int, double>> at, int k) {
  std::vector<double> v(size_t(k), 0.0);
  for (auto [i, x] : at) v[size_t(i)] = x;
  return v;
}

}  // namespace

TEST_CASE("hopper keeps 13 fraction bits below the largest exponent and truncates") {
  const AccumulatorParams h = accumulator_preset("hopper");
  CHECK(sum_of(h, {256, std::ldexp(1.0, -5)}) == 256 + std::ldexp(1.0, -5));
  CHECK(sum_of(h, {256, std::ldexp(1.0, -6)}) == 256);
  CHECK(sum_of(h, {256, -std::ldexp(1.0, -6)}) == 256);  // toward zero, not 256 - 2^-5
  CHECK(sum_of(h, {-256, std::ldexp(1.0, -6)}) == -256);
  // Each aligned product is cut before the sum: 31 x 2^-7 = 0.24 vanishes.
  std::vector<double> many(32, std::ldexp(1.0, -7));
  many[0] = 256;
  CHECK(sum_of(h, many) == 256);
}

TEST_CASE("hopper fuses 32 consecutive products and aligns the accumulator with them") {
  const AccumulatorParams h = accumulator_preset("hopper");
  const double tiny = std::ldexp(1.0, -9);
  // +256 - 256 + tiny: lost inside one group, kept when tiny starts the next.
  CHECK(sum_of(h, padded({{0, 256}, {1, -256}, {31, tiny}}, 64)) == 0);
  CHECK(sum_of(h, padded({{0, 256}, {1, -256}, {32, tiny}}, 64)) == tiny);
  // The accumulator (256 after group 0) joins group 1's alignment: tiny is lost.
  CHECK(sum_of(h, padded({{0, 256}, {32, tiny}, {33, -256}}, 64)) == 0);
  AccumulatorParams outside = h;
  outside.accumulator_in_alignment = false;
  CHECK(sum_of(outside, padded({{0, 256}, {32, tiny}, {33, -256}}, 64)) == 0);
  CHECK(sum_of(outside, padded({{0, 256}, {32, 1.0}, {33, std::ldexp(1.0, -7)}}, 64)) == 257);
}

TEST_CASE("an initial accumulator is truncated to the accumulator's width") {
  static const E4M3ProductTable table;
  const TensorCoreAccumulator acc(accumulator_preset("hopper"), table);
  const std::vector<uint8_t> zeros(32, 0);
  const float c = float(1.0 + std::ldexp(1.0, -13) + std::ldexp(1.0, -20));
  CHECK(acc.chain(ExactValue::from_float(c), zeros, zeros).to_double() == 1.0 + std::ldexp(1.0, -13));
  CHECK(acc.chain(ExactValue::from_float(-c), zeros, zeros).to_double() == -(1.0 + std::ldexp(1.0, -13)));
}

TEST_CASE("fp32_exact is sequential FP32 accumulation") {
  const RandomPair p = random_matrices(RandomDistribution::wide, 8, 8, 300, 99);
  const FloatMatrix c = emulate_gemm(p.a, p.b, GemmOptions{accumulator_preset("fp32_exact"), std::nullopt});
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 300; ++k)
        s += float(decode(kE4M3, p.a(i, k)) * decode(kE4M3, p.b(j, k)));  // products are exact in float
      CHECK(f32_bits(c(i, j)) == f32_bits(s));
    }
}

TEST_CASE("promotion adds tensor-core partial sums into FP32") {
  const RandomPair p = random_matrices(RandomDistribution::uniform_pos, 4, 4, 512, 5);
  const AccumulatorParams h = accumulator_preset("hopper");
  const FloatMatrix promoted = emulate_gemm(p.a, p.b, GemmOptions{h, 128});
  static const E4M3ProductTable table;
  const TensorCoreAccumulator acc(h, table);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      float s = 0.0f;
      for (int k0 = 0; k0 < 512; k0 += 128)
        s += acc.chain({}, std::span<const uint8_t>(p.a.data() + i * 512 + k0, 128),
                       std::span<const uint8_t>(p.b.data() + j * 512 + k0, 128))
                 .to_float();
      CHECK(f32_bits(promoted(i, j)) == f32_bits(s));
    }
}

TEST_CASE("wider accumulators lose less") {
  const RandomPair p = random_matrices(RandomDistribution::uniform_pos, 16, 16, 4096, 3);
  const FloatMatrix exact = emulate_gemm(p.a, p.b, GemmOptions{accumulator_preset("fp32_exact"), std::nullopt});
  double previous = INFINITY;
  for (const char* spec : {"bits=10", "hopper", "bits=16", "bits=20"}) {
    const FloatMatrix c = emulate_gemm(p.a, p.b, GemmOptions{accumulator_preset(spec), std::nullopt});
    const double err = ((c - exact).cwiseAbs().array() / exact.cwiseAbs().array()).maxCoeff();
    INFO(spec << " max relative error " << err);
    CHECK(err < previous);
    previous = err;
  }
}

TEST_CASE("bad accumulator and promotion specifications are refused") {
  CHECK_THROWS_WITH(accumulator_preset("volta"), Catch::Contains("expected hopper, fp32_exact or bits=N"));
  CHECK_THROWS_WITH(accumulator_preset("bits=x"), Catch::Contains("bits=N with N an integer"));
  CHECK_THROWS_WITH(accumulator_preset("bits=99"), Catch::Contains("N must be in 4..40"));
  CHECK_THROWS_WITH(parse_promote_every("100", 32), Catch::Contains("multiple of the accumulator's group of 32"));
  CHECK_THROWS_WITH(parse_promote_every("often", 32), Catch::Contains("expected a positive integer or 'none'"));
  CHECK_FALSE(parse_promote_every("none", 32).has_value());
  CHECK(*parse_promote_every("128", 32) == 128);
}

TEST_CASE("every hopper parameter carries a source") {
  const AccumulatorPreset p = accumulator_preset_with_sources("hopper");
  for (const char* key : {"group_size", "fraction_bits", "alignment_rounding", "normalize_rounding",
                          "alignment_exponent", "accumulator_in_alignment", "cublaslt_promote_every"}) {
    INFO(key);
    REQUIRE(p.sources.count(key));
    CHECK(p.sources.at(key).rfind("measured: ", 0) == 0);
  }
  CHECK(p.cublaslt_promote_every == 128);
}
