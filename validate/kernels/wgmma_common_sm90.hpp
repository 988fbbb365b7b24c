// Device helpers shared by the tensor-core microbenchmarks (ubench_wgmma,
// ubench_power, ubench_power_dynamics): shared-memory descriptors, the wgmma
// fence/commit/wait sequence, and one m64nNk{16,32} MMA by data type.
#pragma once

#include <cstdint>

#include "hopper_ptx.hpp"
#include "wgmma_ops_sm90.hpp"

namespace hwbench {

// Shared-memory matrix descriptor (PTX ISA, "Matrix Descriptor Format"):
// start address >> 4 in bits 0-13, leading-dimension byte offset >> 4 in
// 16-29, stride-dimension byte offset >> 4 in 32-45, no swizzle (bits 62-63 = 0).
// K-major, no swizzle: 8x16-byte core matrices; LBO = 128 (next core matrix
// along K), SBO = 256 (next 8-row group along M/N).
__device__ __forceinline__ uint64_t make_desc(const void* p) {
  const uint64_t addr = smem_addr(p);
  return ((addr & 0x3FFFF) >> 4) | (uint64_t(128 >> 4) << 16) | (uint64_t(256 >> 4) << 32);
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
template <int kPending>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(kPending) : "memory");
}

template <int N, bool kFp8>
__device__ __forceinline__ void mma(float* acc, uint64_t da, uint64_t db) {
  if constexpr (!kFp8) {
    if constexpr (N == 64) wgmma_m64n64k16_bf16(acc, da, db, 1);
    if constexpr (N == 128) wgmma_m64n128k16_bf16(acc, da, db, 1);
    if constexpr (N == 256) wgmma_m64n256k16_bf16(acc, da, db, 1);
  } else {
    if constexpr (N == 64) wgmma_m64n64k32_e4m3(acc, da, db, 1);
    if constexpr (N == 128) wgmma_m64n128k32_e4m3(acc, da, db, 1);
    if constexpr (N == 256) wgmma_m64n256k32_e4m3(acc, da, db, 1);
  }
}

// Both dtypes use 32 bytes of K per row: k16 x 2 B or k32 x 1 B.
constexpr int kRowBytes = 32;
constexpr int kBatch = 8;

// A fresh-operand stream reads a ring of this many K-slices of A and B.
constexpr int kFreshSlices = 8;

}  // namespace hwbench
