#pragma once
// A chain of wgmma.mma_async m64n8k32 E4M3 x E4M3 -> FP32 instructions over
// K, accumulating in registers (no promotion): what the tensor core alone does.
#include <cstdint>

namespace hwnumerics {

// D (M x N, row-major) = C + A * B^T with A (M x K) and B (N x K) E4M3 codes,
// all pointers in device memory. M % 64 == 0, N % 8 == 0, K % 32 == 0.
// descriptor_variant 0 puts the K-direction core-matrix stride in the
// descriptor's leading-byte-offset field (PTX ISA, "Shared Memory Matrix
// Layout", no swizzle, K-major); 1 swaps the two fields. The caller checks
// which one reproduces an exact product (hwnumerics_sm90.cu).
void wgmma_chain(const uint8_t* a, const uint8_t* b, const float* c, float* d, int m, int n, int k,
                 int descriptor_variant);

}  // namespace hwnumerics
