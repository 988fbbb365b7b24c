// Seeded fills and output poisoning used by every suite (see bench_context.hpp).
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include "bench_context.hpp"
#include "device_random.hpp"

namespace hwbench {
namespace {

constexpr int kFillThreads = 256;

unsigned fill_blocks(size_t count) {
  const size_t blocks = (count + kFillThreads - 1) / kFillThreads;
  return static_cast<unsigned>(blocks < 65536 * 16 ? blocks : 65536 * 16);
}

__global__ void fill_bf16_kernel(uint16_t* data, size_t count, uint64_t seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x) {
    data[i] = __bfloat16_as_ushort(__float2bfloat16_rn(random_unit_value(seed, i)));
  }
}

__global__ void fill_e4m3_kernel(uint8_t* data, size_t count, uint64_t seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x) {
    // Scaled by 16 so the values use the E4M3 range rather than only its
    // subnormals; |x| in [0.25, 16] stays finite and non-zero.
    data[i] = __nv_cvt_float_to_fp8(16.0f * random_unit_value(seed, i), __NV_SATFINITE, __NV_E4M3);
  }
}

__global__ void fill_f32_kernel(float* data, size_t count, uint64_t seed, float lo, float hi) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count; i += size_t(gridDim.x) * blockDim.x) {
    const float u = 0.5f * (random_unit_value(seed, i) + 1.0f);
    data[i] = lo + u * (hi - lo);
  }
}

}  // namespace

float random_unit(uint64_t seed, uint64_t index) { return random_unit_value(seed, index); }

void fill_random_bf16(uint16_t* data, size_t count, uint64_t seed, cudaStream_t stream) {
  fill_bf16_kernel<<<fill_blocks(count), kFillThreads, 0, stream>>>(data, count, seed);
  HWB_LAUNCHED();
}

void fill_random_e4m3(uint8_t* data, size_t count, uint64_t seed, cudaStream_t stream) {
  fill_e4m3_kernel<<<fill_blocks(count), kFillThreads, 0, stream>>>(data, count, seed);
  HWB_LAUNCHED();
}

void fill_random_f32(float* data, size_t count, uint64_t seed, float lo, float hi, cudaStream_t stream) {
  fill_f32_kernel<<<fill_blocks(count), kFillThreads, 0, stream>>>(data, count, seed, lo, hi);
  HWB_LAUNCHED();
}

void poison(void* data, size_t bytes, cudaStream_t stream) {
  // 0xFF bytes: NaN as bf16, fp32 and E4M3, so any element left unwritten fails a check.
  HWB_CUDA(cudaMemsetAsync(data, 0xFF, bytes, stream));
}

}  // namespace hwbench
