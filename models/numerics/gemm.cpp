#include "models/numerics/gemm.hpp"

#include <fmt/format.h>

#include <span>
#include <string>

#include "models/spec/error.hpp"

namespace hwsim::numerics {

FloatMatrix emulate_gemm(const CodeMatrix& a, const CodeMatrix& b, const GemmOptions& options,
                         const FloatMatrix* init) {
  if (a.cols() != b.cols())
    throw Error("gemm: A has K = " + std::to_string(a.cols()) + " but B has K = " + std::to_string(b.cols()));
  if (init && (init->rows() != a.rows() || init->cols() != b.rows()))
    throw Error("gemm: the initial accumulator must be M x N");
  if (init && options.promote_every) throw Error("gemm: an initial accumulator is modelled without promotion only");
  for (const CodeMatrix* m : {&a, &b})
    for (Eigen::Index i = 0; i < m->size(); ++i)
      if ((m->data()[i] & 0x7f) == 0x7f) throw Error("gemm: E4M3 NaN code in the inputs");
  static const E4M3ProductTable table;
  const TensorCoreAccumulator acc(options.accumulator, table);
  const Eigen::Index m = a.rows(), n = b.rows(), k = a.cols();
  FloatMatrix c(m, n);
  for (Eigen::Index i = 0; i < m; ++i) {
    const std::span<const uint8_t> row(a.data() + i * k, size_t(k));
    for (Eigen::Index j = 0; j < n; ++j) {
      const std::span<const uint8_t> col(b.data() + j * k, size_t(k));
      if (!options.promote_every) {
        const ExactValue c0 = init ? ExactValue::from_float((*init)(i, j)) : ExactValue{};
        c(i, j) = acc.chain(c0, row, col).to_float();
        continue;
      }
      const size_t nc = size_t(*options.promote_every);
      float total = 0.0f;
      for (size_t k0 = 0; k0 < size_t(k); k0 += nc) {
        const size_t len = std::min(nc, size_t(k) - k0);
        total += acc.chain(ExactValue{}, row.subspan(k0, len), col.subspan(k0, len)).to_float();
      }
      c(i, j) = total;
    }
  }
  return c;
}

std::optional<int> parse_promote_every(const std::string& text, int group_size, const std::string& option) {
  if (text == "none") return std::nullopt;
  int v = 0;
  try {
    size_t used = 0;
    v = std::stoi(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw Error(fmt::format("{} {}: expected a positive integer or 'none'", option, text));
  }
  if (v <= 0 || v % group_size != 0)
    throw Error(fmt::format("{} {}: must be a positive multiple of the accumulator's group of {} products", option,
                            text, group_size));
  return v;
}

}  // namespace hwsim::numerics
