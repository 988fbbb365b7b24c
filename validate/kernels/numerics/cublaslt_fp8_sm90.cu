// cuBLASLt is column-major: with A stored M x K row-major it is a K x M
// column-major matrix used transposed, and B stored N x K row-major is K x N
// column-major used as is ("TN", the layout FP8 requires on Hopper: cuBLAS
// documentation, cublasLtMatmul, FP8 restrictions). The result is the
// column-major M x N matrix D^T of our row-major view, so we compute
// D^T = B * A^T instead (swap the operands) and read D row-major directly.
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

#include "cublaslt_fp8_sm90.hpp"

namespace hwnumerics {
namespace {

#define LT_TRY(expr)                                                           \
  do {                                                                         \
    const cublasStatus_t st_ = (expr);                                         \
    if (st_ != CUBLAS_STATUS_SUCCESS) {                                        \
      r.error = std::string(#expr) + " -> status " + std::to_string(int(st_)); \
      return r;                                                                \
    }                                                                          \
  } while (0)

int config_attr(const cublasLtMatmulAlgo_t& algo, cublasLtMatmulAlgoConfigAttributes_t attr) {
  uint32_t v = 0;
  size_t written = 0;
  if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attr, &v, sizeof(v), &written) != CUBLAS_STATUS_SUCCESS) return -1;
  return int(v);
}

struct Handles {
  cublasLtHandle_t lt = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = size_t(32) << 20;
  Handles() {
    cublasLtCreate(&lt);
    cudaMalloc(&workspace, workspace_bytes);
  }
};

Handles& handles() {
  static Handles h;
  return h;
}

LtResult run(const uint8_t* a, const uint8_t* b, void* d, int m, int n, int k, bool fast, cudaDataType_t d_type) {
  LtResult r;
  r.d_type = d_type == CUDA_R_32F ? "f32" : "bf16";
  Handles& h = handles();
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  LT_TRY(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t t = CUBLAS_OP_T, nn = CUBLAS_OP_N;
  LT_TRY(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof(t)));
  LT_TRY(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &nn, sizeof(nn)));
  const int8_t fast_flag = fast ? 1 : 0;
  LT_TRY(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast_flag, sizeof(fast_flag)));
  // Operand 1 = B (N x K row-major = K x N col-major, transposed -> N x K),
  // operand 2 = A (M x K row-major = K x M col-major) -> D^T is N x M col-major.
  LT_TRY(cublasLtMatrixLayoutCreate(&la, CUDA_R_8F_E4M3, k, n, k));
  LT_TRY(cublasLtMatrixLayoutCreate(&lb, CUDA_R_8F_E4M3, k, m, k));
  LT_TRY(cublasLtMatrixLayoutCreate(&lc, d_type, n, m, n));
  LT_TRY(cublasLtMatmulPreferenceCreate(&pref));
  LT_TRY(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &h.workspace_bytes,
                                              sizeof(h.workspace_bytes)));
  cublasLtMatmulHeuristicResult_t results[32] = {};
  int count = 0;
  LT_TRY(cublasLtMatmulAlgoGetHeuristic(h.lt, op, la, lb, lc, lc, pref, 32, results, &count));
  // Split-K would add partial sums of K slices in another order; the first
  // heuristic choice without it keeps one accumulation chain per element.
  int pick = -1;
  for (int i = 0; i < count; ++i) {
    if (results[i].state != CUBLAS_STATUS_SUCCESS) continue;
    const int split = config_attr(results[i].algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM);
    if (split <= 1) {
      pick = i;
      break;
    }
  }
  if (pick < 0) {
    r.error = "no heuristic result without split-K (" + std::to_string(count) + " results)";
    return r;
  }
  const cublasLtMatmulAlgo_t& algo = results[pick].algo;
  r.heuristic_rank = pick;
  r.algo_id = config_attr(algo, CUBLASLT_ALGO_CONFIG_ID);
  r.tile_id = config_attr(algo, CUBLASLT_ALGO_CONFIG_TILE_ID);
  r.stages_id = config_attr(algo, CUBLASLT_ALGO_CONFIG_STAGES_ID);
  r.splitk = config_attr(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM);
  r.reduction = config_attr(algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME);
  const float alpha = 1.0f, beta = 0.0f;
  LT_TRY(cublasLtMatmul(h.lt, op, &alpha, b, la, a, lb, &beta, d, lc, d, lc, &algo, h.workspace, h.workspace_bytes, 0));
  if (cudaDeviceSynchronize() != cudaSuccess) {
    r.error = "cublasLtMatmul failed at run time";
    return r;
  }
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la);
  cublasLtMatrixLayoutDestroy(lb);
  cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(op);
  r.ok = true;
  return r;
}

}  // namespace

LtResult cublaslt_fp8_gemm(const uint8_t* a, const uint8_t* b, float* d, int m, int n, int k, bool fast_accum) {
  LtResult r = run(a, b, d, m, n, k, fast_accum, CUDA_R_32F);
  if (r.ok) return r;
  // FP32 output refused: take BF16 and widen it (exact), recording the type.
  const std::string f32_error = r.error;
  __nv_bfloat16* tmp = nullptr;
  cudaMalloc(&tmp, size_t(m) * n * sizeof(__nv_bfloat16));
  r = run(a, b, tmp, m, n, k, fast_accum, CUDA_R_16BF);
  if (r.ok) {
    std::vector<__nv_bfloat16> host(size_t(m) * n);
    std::vector<float> wide(host.size());
    cudaMemcpy(host.data(), tmp, host.size() * sizeof(host[0]), cudaMemcpyDeviceToHost);
    for (size_t i = 0; i < host.size(); ++i) wide[i] = __bfloat162float(host[i]);
    cudaMemcpy(d, wide.data(), wide.size() * sizeof(float), cudaMemcpyHostToDevice);
  } else {
    r.error = "f32: " + f32_error + "; bf16: " + r.error;
  }
  cudaFree(tmp);
  return r;
}

std::string cublaslt_version() { return std::to_string(cublasLtGetVersion()); }

}  // namespace hwnumerics
