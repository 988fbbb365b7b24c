// Streaming read / write / copy: the device copy, streaming read and
// streaming write validation kernels, the HBM calibration kernels, and the
// L2 flush. Design (validate/kernels/README.md): grid = 8 CTAs per SM x 256
// threads (full occupancy, 2048 threads/SM), each thread moves 16-byte
// vectors, grid-stride, unrolled 4x so 64 bytes per thread (128 KiB per SM)
// are in flight; one pass over memory.
#include "bench_context.hpp"

namespace hwbench {
namespace {

constexpr int kThreads = 256;
constexpr int kCtasPerSm = 8;

__device__ __forceinline__ void block_sum_store(unsigned acc, unsigned* partials) {
  __shared__ unsigned warp_sums[kThreads / 32];
  acc = __reduce_add_sync(0xffffffffu, acc);
  if ((threadIdx.x & 31) == 0) warp_sums[threadIdx.x >> 5] = acc;
  __syncthreads();
  if (threadIdx.x == 0) {
    unsigned total = 0;
    for (int i = 0; i < kThreads / 32; ++i) total += warp_sums[i];
    partials[blockIdx.x] = total;
  }
}

__global__ void __launch_bounds__(kThreads)
    read_kernel(const int4* __restrict__ p, size_t n, unsigned* __restrict__ partials) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  unsigned acc = 0;
  for (; i + 3 * stride < n; i += 4 * stride) {
    const int4 a = p[i];
    const int4 b = p[i + stride];
    const int4 c = p[i + 2 * stride];
    const int4 d = p[i + 3 * stride];
    acc += (a.x ^ a.y ^ a.z ^ a.w) + (b.x ^ b.y ^ b.z ^ b.w) + (c.x ^ c.y ^ c.z ^ c.w) + (d.x ^ d.y ^ d.z ^ d.w);
  }
  for (; i < n; i += stride) {
    const int4 a = p[i];
    acc += a.x ^ a.y ^ a.z ^ a.w;
  }
  // The reduction's result is stored (one partial per CTA, no atomics on a
  // shared address), so no load can be dropped.
  block_sum_store(acc, partials);
}

__global__ void __launch_bounds__(kThreads) write_kernel(int4* __restrict__ p, size_t n) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  const int v = 0x3c003c00 ^ static_cast<int>(blockIdx.x);  // non-zero pattern
  const int4 val = make_int4(v, v + 1, v + 2, v + 3);
  for (; i + 3 * stride < n; i += 4 * stride) {
    p[i] = val;
    p[i + stride] = val;
    p[i + 2 * stride] = val;
    p[i + 3 * stride] = val;
  }
  for (; i < n; i += stride) p[i] = val;
}

__global__ void __launch_bounds__(kThreads)
    copy_kernel(int4* __restrict__ dst, const int4* __restrict__ src, size_t n) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  for (; i + 3 * stride < n; i += 4 * stride) {
    const int4 a = src[i];
    const int4 b = src[i + stride];
    const int4 c = src[i + 2 * stride];
    const int4 d = src[i + 3 * stride];
    dst[i] = a;
    dst[i + stride] = b;
    dst[i + 2 * stride] = c;
    dst[i + 3 * stride] = d;
  }
  for (; i < n; i += stride) dst[i] = src[i];
}

unsigned grid_for(size_t vectors, int sm_count) {
  const size_t full = size_t(sm_count) * kCtasPerSm;
  const size_t needed = (vectors + kThreads - 1) / kThreads;  // small buffers: one vector per thread
  return static_cast<unsigned>(needed < full ? (needed > 0 ? needed : 1) : full);
}

void require_vectors(size_t bytes) {
  if (bytes % 16 != 0) throw BenchError("streaming kernels need a multiple of 16 bytes, got " + std::to_string(bytes));
}

}  // namespace

size_t stream_read_partials(int sm_count) { return size_t(sm_count) * kCtasPerSm; }

void launch_stream_read(const void* data, size_t bytes, unsigned* partials, int sm_count, cudaStream_t stream) {
  require_vectors(bytes);
  const size_t n = bytes / 16;
  read_kernel<<<grid_for(n, sm_count), kThreads, 0, stream>>>(static_cast<const int4*>(data), n, partials);
}

void launch_stream_write(void* data, size_t bytes, int sm_count, cudaStream_t stream) {
  require_vectors(bytes);
  const size_t n = bytes / 16;
  write_kernel<<<grid_for(n, sm_count), kThreads, 0, stream>>>(static_cast<int4*>(data), n);
}

void launch_stream_copy(void* dst, const void* src, size_t bytes, int sm_count, cudaStream_t stream) {
  require_vectors(bytes);
  const size_t n = bytes / 16;
  copy_kernel<<<grid_for(n, sm_count), kThreads, 0, stream>>>(static_cast<int4*>(dst), static_cast<const int4*>(src),
                                                              n);
}

}  // namespace hwbench
