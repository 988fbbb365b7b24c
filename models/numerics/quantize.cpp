#include "models/numerics/quantize.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "models/spec/error.hpp"

namespace hwsim::numerics {

const char* to_string(Granularity g) {
  switch (g) {
    case Granularity::per_tensor:
      return "per_tensor";
    case Granularity::tile_1x128:
      return "1x128";
    case Granularity::block_128x128:
      return "128x128";
    case Granularity::tile_128x1:
      return "128x1";
  }
  return "?";
}

Granularity granularity_by_name(const std::string& name) {
  for (Granularity g :
       {Granularity::per_tensor, Granularity::tile_1x128, Granularity::block_128x128, Granularity::tile_128x1})
    if (name == to_string(g)) return g;
  throw Error("unknown quantization granularity '" + name + "' (expected per_tensor, 1x128, 128x128 or 128x1)");
}

QuantizedTensor quantize(const FloatMatrix& x, const QuantizeOptions& options) {
  if (options.tile < 1) throw Error("quantize: tile must be >= 1");
  if (options.format->specials == SpecialValues::exponent_only) throw Error("quantize: ue8m0 is a scale format");
  QuantizedTensor q;
  q.options = options;
  const int rows = int(x.rows()), cols = int(x.cols()), t = options.tile;
  switch (options.granularity) {
    case Granularity::per_tensor:
      q.tile_rows = std::max(rows, 1);
      q.tile_cols = std::max(cols, 1);
      break;
    case Granularity::tile_1x128:
      q.tile_rows = 1;
      q.tile_cols = t;
      break;
    case Granularity::block_128x128:
      q.tile_rows = t;
      q.tile_cols = t;
      break;
    case Granularity::tile_128x1:
      q.tile_rows = t;
      q.tile_cols = 1;
      break;
  }
  const int br = (rows + q.tile_rows - 1) / q.tile_rows, bc = (cols + q.tile_cols - 1) / q.tile_cols;
  q.scales.resize(br, bc);
  q.codes.resize(rows, cols);
  const double max_finite = options.format->max_finite();
  for (int bi = 0; bi < br; ++bi) {
    for (int bj = 0; bj < bc; ++bj) {
      const int r0 = bi * q.tile_rows, c0 = bj * q.tile_cols;
      const int r1 = std::min(rows, r0 + q.tile_rows), c1 = std::min(cols, c0 + q.tile_cols);
      double amax = 0;
      for (int i = r0; i < r1; ++i)
        for (int j = c0; j < c1; ++j) {
          if (!std::isfinite(x(i, j)))
            throw Error("quantize: non-finite input at row " + std::to_string(i) + " column " + std::to_string(j));
          amax = std::max(amax, double(std::fabs(x(i, j))));
        }
      // An all-zero tile keeps scale 1 (any scale represents it exactly).
      double scale = amax > 0 ? amax / max_finite : 1.0;
      if (options.power_of_two_scales) scale = decode(kUE8M0, encode_ue8m0(scale, ScaleRounding::up));
      q.scales(bi, bj) = float(scale);
      const double s = double(q.scales(bi, bj));
      for (int i = r0; i < r1; ++i)
        for (int j = c0; j < c1; ++j) q.codes(i, j) = encode(*options.format, double(x(i, j)) / s, Overflow::saturate);
    }
  }
  return q;
}

FloatMatrix dequantize(const QuantizedTensor& q) {
  FloatMatrix out(q.codes.rows(), q.codes.cols());
  for (Eigen::Index i = 0; i < out.rows(); ++i)
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      out(i, j) = float(decode(*q.options.format, q.codes(i, j)) * double(q.scales(i / q.tile_rows, j / q.tile_cols)));
  return out;
}

QuantizationError quantization_error(const FloatMatrix& x, const FloatMatrix& dq) {
  if (x.rows() != dq.rows() || x.cols() != dq.cols()) throw Error("quantization_error: shapes differ");
  QuantizationError e;
  double sum_sq = 0, err_sq = 0, rel_sum = 0;
  long nonzero = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double a = x.data()[i], d = a - double(dq.data()[i]);
    e.max_abs = std::max(e.max_abs, std::fabs(d));
    sum_sq += a * a;
    err_sq += d * d;
    if (a != 0) {
      const double rel = std::fabs(d) / std::fabs(a);
      e.max_rel = std::max(e.max_rel, rel);
      rel_sum += rel;
      ++nonzero;
      if (dq.data()[i] == 0) ++e.flushed_to_zero;
    }
  }
  e.elements = long(x.size());
  e.rmse = x.size() ? std::sqrt(err_sq / double(x.size())) : 0;
  e.mean_rel = nonzero ? rel_sum / double(nonzero) : 0;
  e.sqnr_db = err_sq > 0 ? 10 * std::log10(sum_sq / err_sq) : std::numeric_limits<double>::infinity();
  return e;
}

FloatMatrix synthetic_activations(int rows, int cols, uint64_t seed, double outlier_channel_fraction,
                                  double outlier_scale) {
  if (rows < 1 || cols < 1) throw Error("synthetic activations: rows and columns must be >= 1");
  uint64_t state = seed;
  const auto next = [&state] {  // splitmix64, as in random_matrices.cpp
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::vector<double> channel_scale(size_t(cols), 1.0);
  for (double& s : channel_scale)
    if (double(next() >> 11) / double(1ull << 53) < outlier_channel_fraction) s = outlier_scale;
  FloatMatrix x(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const uint64_t u = next();
      const double s = double(u & 0xffff) + double((u >> 16) & 0xffff) + double((u >> 32) & 0xffff) + double(u >> 48);
      // Sum of four uniforms on [0, 65535]: mean 131070, standard deviation 37837.
      x(i, j) = float((s - 131070.0) / 37837.0 * channel_scale[size_t(j)]);
    }
  return x;
}

}  // namespace hwsim::numerics
