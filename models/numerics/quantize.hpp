#pragma once
// FP8 quantizers of DeepSeek-V3's training recipe (§3.3.2): per-tensor, 1x128
// tiles (per token, per 128 channels: activations), 128x128 blocks (weights)
// and 128x1 tiles (the transposed activations of the backward pass). The
// scale of a tile is amax / max_finite(format) (optionally rounded up to a
// power of two, the UE8M0 scales of DeepGEMM), values are divided by it and
// converted with round-to-nearest-even and saturation.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "models/numerics/formats.hpp"
#include "models/numerics/gemm.hpp"

namespace hwsim::numerics {

enum class Granularity { per_tensor, tile_1x128, block_128x128, tile_128x1 };
const char* to_string(Granularity g);
Granularity granularity_by_name(const std::string& name);  // throws hwsim::Error

struct QuantizeOptions {
  const FloatFormat* format = &kE4M3;
  Granularity granularity = Granularity::tile_1x128;
  int tile = 128;  // the 128 of the names above
  bool power_of_two_scales = false;
};

struct QuantizedTensor {
  Eigen::Matrix<uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> codes;  // same shape as the input
  FloatMatrix scales;  // one per tile: rows = ceil(R / tile rows), cols = ceil(C / tile cols)
  int tile_rows = 1, tile_cols = 1;
  QuantizeOptions options;
};

QuantizedTensor quantize(const FloatMatrix& x, const QuantizeOptions& options);
FloatMatrix dequantize(const QuantizedTensor& q);

struct QuantizationError {
  double max_abs = 0;        // max |x - dq|
  double rmse = 0;           // sqrt(mean (x - dq)^2)
  double max_rel = 0;        // max |x - dq| / |x| over x != 0
  double mean_rel = 0;       // mean of the same
  double sqnr_db = 0;        // 10 log10(sum x^2 / sum (x - dq)^2); +inf when exact
  long flushed_to_zero = 0;  // x != 0 with dq == 0
  long elements = 0;
};

QuantizationError quantization_error(const FloatMatrix& x, const FloatMatrix& dequantized);

// Seeded activation-like data for quantisation studies: bell-shaped values
// (Irwin-Hall sum of four uniforms, unit spread) in which a fraction of the
// channels (columns) is multiplied by `outlier_scale`, the per-channel
// outliers that motivate 1x128 tiles (V3 §3.3.2).
FloatMatrix synthetic_activations(int rows, int cols, uint64_t seed, double outlier_channel_fraction,
                                  double outlier_scale);

}  // namespace hwsim::numerics
