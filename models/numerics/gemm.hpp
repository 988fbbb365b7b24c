#pragma once
// Emulated FP8 GEMM C = A * B^T with unit scales and FP32 output, built on the
// tensor-core accumulation model: each output element runs the accumulator
// chain over K; with promotion, every `promote_every` elements of K the
// tensor-core partial sum is added into an FP32 register with one
// round-to-nearest-even FP32 addition (what DeepGEMM does on the CUDA cores
// and what cuBLASLt does without fast accumulation: docs/numerics.md).
#include <Eigen/Core>
#include <cstdint>
#include <optional>

#include "models/numerics/accumulator.hpp"

namespace hwsim::numerics {

using CodeMatrix = Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using FloatMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct GemmOptions {
  AccumulatorParams accumulator;
  std::optional<int> promote_every;  // none = the whole K in the tensor core (fast accumulation)
};

// a: M x K E4M3 codes, b: N x K. init: optional M x N initial accumulator
// (the wgmma C operand; without promotion only). Throws hwsim::Error on NaN
// codes or mismatched shapes.
FloatMatrix emulate_gemm(const CodeMatrix& a, const CodeMatrix& b, const GemmOptions& options,
                         const FloatMatrix* init = nullptr);

// "none" or a positive multiple of the group size; throws naming `option`.
std::optional<int> parse_promote_every(const std::string& text, int group_size,
                                       const std::string& option = "--promote-every");

}  // namespace hwsim::numerics
