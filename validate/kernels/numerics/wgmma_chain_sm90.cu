// The chained wgmma kernel. One warp group (128 threads) per 64 x 8 tile of D;
// each K step of 32 copies a 64 x 32 tile of A and an 8 x 32 tile of B into
// shared memory in the no-swizzle K-major canonical layout (8-row x 16-byte
// core matrices), then issues one wgmma with scale-d = 1 so that the initial
// accumulator C and every step accumulate in the same registers.
// Speed is irrelevant here; the kernel is written for clarity.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#include "wgmma_chain_sm90.hpp"

namespace hwnumerics {
namespace {

// Byte offset of element (row, k) of a row-major tile in the canonical layout:
// core matrices of 8 rows x 16 bytes (128 contiguous bytes); the two core
// matrices along K are 128 bytes apart, consecutive 8-row groups 256 apart.
constexpr int kKCoreStride = 128;
constexpr int kRowGroupStride = 256;

__device__ __forceinline__ int canonical_offset(int row, int k) {
  return (row >> 3) * kRowGroupStride + (k >> 4) * kKCoreStride + (row & 7) * 16 + (k & 15);
}

__device__ __forceinline__ uint64_t smem_descriptor(const void* smem, int variant) {
  const uint32_t addr = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  const uint64_t lbo = variant == 0 ? kKCoreStride : kRowGroupStride;
  const uint64_t sbo = variant == 0 ? kRowGroupStride : kKCoreStride;
  // Bits 0-13 start address >> 4, 16-29 leading byte offset >> 4, 32-45 stride
  // byte offset >> 4, 62-63 swizzle mode (0 = none).
  return (uint64_t((addr >> 4) & 0x3fff)) | ((lbo >> 4) << 16) | ((sbo >> 4) << 32);
}

__global__ void __launch_bounds__(128)
    wgmma_chain_kernel(const uint8_t* __restrict__ a, const uint8_t* __restrict__ b, const float* __restrict__ c,
                       float* __restrict__ d, int n, int k, int variant) {
  __shared__ __align__(1024) uint8_t sa[64 * 32];
  __shared__ __align__(1024) uint8_t sb[8 * 32];
  const int tid = threadIdx.x;
  const int m0 = blockIdx.y * 64, n0 = blockIdx.x * 8;
  // Accumulator fragment of m64nNk32 with f32 D (PTX ISA, "wgmma 64NxK32
  // register fragment"): warp w holds rows 16w..16w+15; lane l holds rows
  // l/4 and l/4 + 8, columns 2(l%4) and 2(l%4)+1.
  const int warp = tid / 32, lane = tid % 32;
  const int r0 = m0 + warp * 16 + lane / 4, col = n0 + (lane % 4) * 2;
  float d0 = c[size_t(r0) * n + col], d1 = c[size_t(r0) * n + col + 1];
  float d2 = c[size_t(r0 + 8) * n + col], d3 = c[size_t(r0 + 8) * n + col + 1];
  for (int kb = 0; kb < k; kb += 32) {
    for (int i = tid; i < 64 * 32; i += 128) {
      const int r = i / 32, kk = i % 32;
      sa[canonical_offset(r, kk)] = a[size_t(m0 + r) * k + kb + kk];
    }
    for (int i = tid; i < 8 * 32; i += 128) {
      const int r = i / 32, kk = i % 32;
      sb[canonical_offset(r, kk)] = b[size_t(n0 + r) * k + kb + kk];
    }
    // Generic-proxy stores must be made visible to the async proxy that wgmma reads through.
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
    __syncthreads();
    const uint64_t da = smem_descriptor(sa, variant), db = smem_descriptor(sb, variant);
    asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
    asm volatile(
        "{\n"
        ".reg .pred p;\n"
        "setp.ne.b32 p, %6, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n8k32.f32.e4m3.e4m3 {%0, %1, %2, %3}, %4, %5, p, 1, 1;\n"
        "}\n"
        : "+f"(d0), "+f"(d1), "+f"(d2), "+f"(d3)
        : "l"(da), "l"(db), "r"(1)
        : "memory");
    asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
    asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
    __syncthreads();
  }
  d[size_t(r0) * n + col] = d0;
  d[size_t(r0) * n + col + 1] = d1;
  d[size_t(r0 + 8) * n + col] = d2;
  d[size_t(r0 + 8) * n + col + 1] = d3;
}

}  // namespace

void wgmma_chain(const uint8_t* a, const uint8_t* b, const float* c, float* d, int m, int n, int k,
                 int descriptor_variant) {
  if (m % 64 || n % 8 || k % 32) {
    std::fprintf(stderr, "wgmma_chain: M %% 64, N %% 8 and K %% 32 must be 0 (got %d %d %d)\n", m, n, k);
    std::exit(2);
  }
  wgmma_chain_kernel<<<dim3(n / 8, m / 64), 128>>>(a, b, c, d, n, k, descriptor_variant);
  const cudaError_t err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    std::fprintf(stderr, "wgmma_chain: %s\n", cudaGetErrorString(err));
    std::exit(3);
  }
}

}  // namespace hwnumerics
