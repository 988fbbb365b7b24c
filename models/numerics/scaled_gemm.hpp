#pragma once
// Block-scaled FP8 GEMM as DeepGEMM runs it (DeepSeek-V3 §3.3.2): A quantised
// in 1x128 tiles, B in 128x128 blocks (any granularity whose tiles along K
// hold whole promotion intervals works); every `promote_every` elements of K
// the tensor-core partial sum (accumulation model) is multiplied by
// scale_a * scale_b and added into the FP32 accumulator.
//
// Assumption (not measured: the scales are not in our device data): the
// promotion is one fused multiply-add in FP32, acc = fma(sa * sb, partial, acc),
// with sa * sb rounded to FP32 first, which is what DeepGEMM's
// `final_accum += scale * accum` compiles to (FFMA). With unit scales it is
// exactly the measured promotion of cuBLASLt (an FP32 addition).
#include "models/numerics/accumulator.hpp"
#include "models/numerics/gemm.hpp"
#include "models/numerics/quantize.hpp"

namespace hwsim::numerics {

// a: M x K and b: N x K, both quantised to E4M3. Throws hwsim::Error when the
// shapes differ, the format is not E4M3, or a promotion interval straddles
// two scale tiles along K.
FloatMatrix emulate_scaled_gemm(const QuantizedTensor& a, const QuantizedTensor& b, const AccumulatorParams& acc,
                                int promote_every);

}  // namespace hwsim::numerics
