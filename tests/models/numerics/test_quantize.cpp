#include <catch2/catch.hpp>
#include <cmath>

#include "models/numerics/quantize.hpp"
#include "models/numerics/scaled_gemm.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::numerics;

namespace {

FloatMatrix sample(int rows, int cols, uint64_t seed) {
  FloatMatrix x(rows, cols);
  uint64_t s = seed;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    const double u = double(s >> 11) / double(1ull << 53);
    x.data()[i] = float((u - 0.5) * std::ldexp(1.0, int(s % 7)));  // values spread over binades
  }
  return x;
}

}  // namespace

TEST_CASE("1x128 tiles scale each token's 128 channels by amax / 448") {
  const FloatMatrix x = sample(3, 300, 1);
  const QuantizedTensor q = quantize(x, {&kE4M3, Granularity::tile_1x128, 128, false});
  REQUIRE(q.scales.rows() == 3);
  REQUIRE(q.scales.cols() == 3);  // 128 + 128 + 44 channels
  for (int r = 0; r < 3; ++r)
    for (int t = 0; t < 3; ++t) {
      const int c1 = std::min(300, (t + 1) * 128);
      double amax = 0;
      for (int c = t * 128; c < c1; ++c) amax = std::max(amax, double(std::fabs(x(r, c))));
      CHECK(q.scales(r, t) == float(amax / 448.0));
    }
  // The largest element of each tile maps to +-448 (or its neighbour after rounding of the scale).
  CHECK(std::fabs(decode(kE4M3, q.codes(0, 0))) <= 448.0);
}

TEST_CASE("power-of-two scales never make a value overflow and are powers of two") {
  const FloatMatrix x = sample(256, 256, 2);
  const QuantizedTensor q = quantize(x, {&kE4M3, Granularity::block_128x128, 128, true});
  REQUIRE(q.scales.rows() == 2);
  for (Eigen::Index i = 0; i < q.scales.size(); ++i) {
    int e = 0;
    CHECK(std::frexp(double(q.scales.data()[i]), &e) == 0.5);
  }
  const FloatMatrix d = dequantize(q);
  // No saturation: every element within half an E4M3 step (2^-4 relative) of its input or tiny.
  const QuantizationError err = quantization_error(x, d);
  CHECK(err.max_rel <= 1.0);
  CHECK(err.sqnr_db > 25.0);
}

TEST_CASE("128x1 tiles are the transpose of 1x128 tiles") {
  const FloatMatrix x = sample(200, 130, 3);
  const QuantizedTensor a = quantize(x, {&kE4M3, Granularity::tile_128x1, 128, false});
  const QuantizedTensor b = quantize(x.transpose(), {&kE4M3, Granularity::tile_1x128, 128, false});
  CHECK(a.scales == b.scales.transpose());
  CHECK(a.codes == b.codes.transpose());
}

TEST_CASE("finer tiles quantise with less error than a per-tensor scale on data with outliers") {
  FloatMatrix x = sample(128, 512, 4);
  x(5, 7) = 1.0e5f;  // one outlier pushes the per-tensor scale so far that most values become subnormal
  const auto err = [&](Granularity g) {
    return quantization_error(x, dequantize(quantize(x, {&kE4M3, g, 128, false})));
  };
  const QuantizationError tensor = err(Granularity::per_tensor), tile = err(Granularity::tile_1x128);
  CHECK(tile.mean_rel * 2 < tensor.mean_rel);
  CHECK(tensor.flushed_to_zero > tile.flushed_to_zero);
}

TEST_CASE("E5M2 quantisation keeps range but loses precision against E4M3") {
  const FloatMatrix x = sample(64, 256, 5);
  const auto e4 = quantization_error(x, dequantize(quantize(x, {&kE4M3, Granularity::tile_1x128, 128, false})));
  const auto e5 = quantization_error(x, dequantize(quantize(x, {&kE5M2, Granularity::tile_1x128, 128, false})));
  CHECK(e4.sqnr_db > e5.sqnr_db);
}

TEST_CASE("quantisation refuses bad input") {
  FloatMatrix x = sample(2, 2, 6);
  x(1, 0) = NAN;
  CHECK_THROWS_WITH(quantize(x, {}), "quantize: non-finite input at row 1 column 0");
  CHECK_THROWS_WITH(granularity_by_name("64x64"), Catch::Contains("unknown quantization granularity '64x64'"));
}

TEST_CASE("block-scaled GEMM with unit scales is the measured promotion; with scales it approximates FP64") {
  const FloatMatrix x = sample(8, 512, 7), w = sample(16, 512, 8);
  const AccumulatorParams h = accumulator_preset("hopper");
  const QuantizedTensor qa = quantize(x, {&kE4M3, Granularity::tile_1x128, 128, true});
  const QuantizedTensor qb = quantize(w, {&kE4M3, Granularity::block_128x128, 128, true});
  const FloatMatrix c = emulate_scaled_gemm(qa, qb, h, 128);
  // Reference: the dequantised operands multiplied in double.
  const Eigen::MatrixXd da = dequantize(qa).cast<double>(), db = dequantize(qb).cast<double>();
  const Eigen::MatrixXd ref = da * db.transpose();
  const double err = (c.cast<double>() - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
  CHECK(err < 2e-3);  // 4 promotions of 128: each partial within 2^-13 relative, as for hopper+promote128
  CHECK(err > 0);
  // Unit scales: identical to the unscaled GEMM with promotion every 128.
  QuantizedTensor ua = qa, ub = qb;
  ua.scales.setOnes();
  ub.scales.setOnes();
  const FloatMatrix unit = emulate_scaled_gemm(ua, ub, h, 128);
  const FloatMatrix plain = emulate_gemm(ua.codes.cast<uint8_t>(), ub.codes.cast<uint8_t>(), GemmOptions{h, 128});
  CHECK(unit == plain);
  CHECK_THROWS_WITH(emulate_scaled_gemm(qa, qb, h, 256), Catch::Contains("spans two scale tiles"));
}

TEST_CASE("synthetic activations are seeded and carry the asked outlier channels") {
  const FloatMatrix a = synthetic_activations(64, 1000, 9, 0.05, 100.0),
                    b = synthetic_activations(64, 1000, 9, 0.05, 100.0);
  CHECK(a == b);
  int outliers = 0;
  for (int j = 0; j < 1000; ++j) outliers += a.col(j).cwiseAbs().maxCoeff() > 20.0f;
  CHECK(outliers > 25);
  CHECK(outliers < 80);
  // Power-of-two scales leave mantissas alone: tiles that avoid subnormals quantise the same at any granularity.
  const FloatMatrix x = synthetic_activations(128, 256, 10, 0.0, 1.0);
  const FloatMatrix t = dequantize(quantize(x, {&kE4M3, Granularity::per_tensor, 128, true}));
  const FloatMatrix r = dequantize(quantize(x, {&kE4M3, Granularity::tile_1x128, 128, true}));
  int same = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) same += t.data()[i] == r.data()[i];
  CHECK(same > 0.95 * double(x.size()));
}
