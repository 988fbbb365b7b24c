#include "models/numerics/scaled_gemm.hpp"

#include <cmath>
#include <span>
#include <string>

#include "models/spec/error.hpp"

namespace hwsim::numerics {

FloatMatrix emulate_scaled_gemm(const QuantizedTensor& a, const QuantizedTensor& b, const AccumulatorParams& acc,
                                int promote_every) {
  if (a.options.format != &kE4M3 || b.options.format != &kE4M3)
    throw Error("scaled gemm: both operands must be quantised to e4m3");
  if (a.codes.cols() != b.codes.cols())
    throw Error("scaled gemm: A has K = " + std::to_string(a.codes.cols()) +
                ", B has K = " + std::to_string(b.codes.cols()));
  if (promote_every < 1 || promote_every % acc.group_size != 0)
    throw Error("scaled gemm: the promotion interval must be a positive multiple of the group size");
  const Eigen::Index m = a.codes.rows(), n = b.codes.rows(), k = a.codes.cols();
  // Codes as bytes, row-major, for the accumulator's spans.
  const CodeMatrix ac = a.codes.cast<uint8_t>(), bc = b.codes.cast<uint8_t>();
  for (Eigen::Index k0 = 0; k0 < k; k0 += promote_every) {
    const Eigen::Index last = std::min(k, k0 + promote_every) - 1;
    if (k0 / a.tile_cols != last / a.tile_cols || k0 / b.tile_cols != last / b.tile_cols)
      throw Error("scaled gemm: promotion interval [" + std::to_string(k0) + ", " + std::to_string(last) +
                  "] of K spans two scale tiles");
  }
  static const E4M3ProductTable table;
  const TensorCoreAccumulator tc(acc, table);
  FloatMatrix c(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      float total = 0.0f;
      for (Eigen::Index k0 = 0; k0 < k; k0 += promote_every) {
        const size_t len = size_t(std::min<Eigen::Index>(promote_every, k - k0));
        const float partial = tc.chain({}, std::span<const uint8_t>(ac.data() + i * k + k0, len),
                                       std::span<const uint8_t>(bc.data() + j * k + k0, len))
                                  .to_float();
        const float scale = a.scales(i / a.tile_rows, k0 / a.tile_cols) * b.scales(j / b.tile_rows, k0 / b.tile_cols);
        total = std::fma(scale, partial, total);
      }
      c(i, j) = total;
    }
  }
  return c;
}

}  // namespace hwsim::numerics
