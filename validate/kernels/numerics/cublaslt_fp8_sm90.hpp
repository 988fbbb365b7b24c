#pragma once
// cuBLASLt FP8 GEMM D = A * B^T (E4M3 inputs, unit scales, beta = 0) with
// fast accumulation on or off, recording which algorithm ran.
#include <cstdint>
#include <string>

namespace hwnumerics {

struct LtResult {
  bool ok = false;
  std::string error;   // why not, when !ok
  std::string d_type;  // "f32" or "bf16" (the output type that was supported)
  int algo_id = -1, tile_id = -1, stages_id = -1, splitk = -1, reduction = -1, heuristic_rank = -1;
};

// a (M x K), b (N x K) E4M3 codes and d (M x N row-major FP32) in device memory.
// Output in BF16 is widened to FP32 exactly when FP32 output is unsupported.
LtResult cublaslt_fp8_gemm(const uint8_t* a, const uint8_t* b, float* d, int m, int n, int k, bool fast_accum);

std::string cublaslt_version();

}  // namespace hwnumerics
