// CPU-side functions for the reference checks inside hwbench: bit-exact
// BF16/E4M3 conversions and device-to-host copies.
#pragma once
#include <cuda_fp8.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bench_context.hpp"

namespace hwbench {

inline float host_bf16_to_float(uint16_t h) {
  const uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Round to nearest even, as __float2bfloat16_rn does (inputs here are finite).
inline uint16_t host_float_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding) >> 16);
}

// E4M3 (OCP FP8): bias 7, no infinities, S.1111.111 is NaN.
inline float host_e4m3_to_float(uint8_t v) {
  const int e = (v >> 3) & 0xF;
  const int m = v & 7;
  float mag = e == 0 ? std::ldexp(float(m) / 8.f, -6) : std::ldexp(1.f + float(m) / 8.f, e - 7);
  if (e == 15 && m == 7) mag = NAN;
  return (v & 0x80) ? -mag : mag;
}

// The CUDA headers' host implementation of the saturating round-to-nearest
// conversion (a software path, independent of the GPU's cvt instruction).
inline uint8_t host_float_to_e4m3(float f) {
  return static_cast<uint8_t>(__nv_cvt_float_to_fp8(f, __NV_SATFINITE, __NV_E4M3));
}

template <typename T>
std::vector<T> download(const void* device, size_t count) {
  std::vector<T> h(count);
  HWB_CUDA(cudaMemcpy(h.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost));
  return h;
}

}  // namespace hwbench
