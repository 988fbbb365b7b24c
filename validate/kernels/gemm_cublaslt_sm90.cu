// Validation GEMMs through cuBLASLt (kernel kind "gemm"): C[m,n] = A[m,k] B[n,k]^T
// with both operands K-major and BF16 output, for BF16, FP8 E4M3 with
// per-tensor scales (fast accumulation on and off) and FP8 with 1x128 (A) /
// 128x128 (B) block scales; and, for the training part, the weight-gradient
// GEMM of FP8 training (both operands with 1x128 scales along K, the FP32
// output accumulated, D = A B^T + C) and GEMMs restricted to 112 SMs by a green
// context (the SMs DeepEP leaves to compute). In cuBLASLt's column-major terms this is the TN
// case with the operands swapped: D'[n,m] = op(B')^T op(A') where cuBLAS "A"
// is our B (k x n, transposed) and cuBLAS "B" is our A (k x m). FP8 on Hopper
// requires exactly this TN layout.
#include <cublasLt.h>
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "bench_context.hpp"

namespace hwbench {
namespace {

void check_blas(cublasStatus_t s, const char* expr, int line) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    throw BenchError(std::string("cuBLASLt error ") + std::to_string(static_cast<int>(s)) + " in " + expr +
                     " at gemm_cublaslt_sm90.cu:" + std::to_string(line));
  }
}
#define HWB_BLAS(expr) check_blas((expr), #expr, __LINE__)

struct Variant {
  const char* tag;  // id component
  bool fp8;
  const char* scaling;  // none | per_tensor | block_1x128_128x128 | block_1x128_1x128
  bool fast_accum;
  bool wgrad = false;  // FP32 output accumulated into (beta = 1); block_1x128_1x128
};

constexpr Variant kVariants[] = {
    {"bf16", false, "none", false},
    {"fp8_pt_fast", true, "per_tensor", true},
    {"fp8_pt", true, "per_tensor", false},
    {"fp8_blk", true, "block_1x128_128x128", false},
};
constexpr Variant kWgrad = {"fp8_wgrad", true, "block_1x128_1x128", false, true};

constexpr size_t kWorkspace = size_t(32) << 20;

struct Buffers {
  void* a = nullptr;  // our A [m,k]
  void* b = nullptr;  // our B [n,k]
  void* d = nullptr;  // our C [m,n] bf16 (fp32 for the weight gradient)
  float* scale_a = nullptr;
  float* scale_b = nullptr;
  void* workspace = nullptr;
  size_t a_bytes = 0, b_bytes = 0, d_bytes = 0, sa_count = 0, sb_count = 0;
  // Device buffers for the largest shape of a run (bytes; scale counts in floats).
  void allocate(size_t a_max, size_t b_max, size_t d_max, size_t sa_max, size_t sb_max);
  void release();
};

size_t cdiv(size_t a, size_t b) { return (a + b - 1) / b; }

void Buffers::allocate(size_t a_max, size_t b_max, size_t d_max, size_t sa_max, size_t sb_max) {
  HWB_CUDA(cudaMalloc(&a, a_max));
  HWB_CUDA(cudaMalloc(&b, b_max));
  HWB_CUDA(cudaMalloc(&d, d_max));
  HWB_CUDA(cudaMalloc(&scale_a, sa_max * 4));
  HWB_CUDA(cudaMalloc(&scale_b, sb_max * 4));
  HWB_CUDA(cudaMalloc(&workspace, kWorkspace));
}

void Buffers::release() {
  for (void* p : {a, b, d, static_cast<void*>(scale_a), static_cast<void*>(scale_b), workspace}) HWB_CUDA(cudaFree(p));
  *this = Buffers{};
}

float bf16_to_float(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float e4m3_to_float(uint8_t v) {
  const int sign = v >> 7;
  const int e = (v >> 3) & 0xF;
  const int m = v & 7;
  float mag = e == 0 ? std::ldexp(float(m) / 8.f, -6) : std::ldexp(1.f + float(m) / 8.f, e - 7);
  if (e == 15 && m == 7) mag = NAN;
  return sign ? -mag : mag;
}

std::string algo_detail(const cublasLtMatmulHeuristicResult_t& h) {
  auto get = [&](cublasLtMatmulAlgoConfigAttributes_t attr) -> long long {
    size_t size = 0;
    if (cublasLtMatmulAlgoConfigGetAttribute(&h.algo, attr, nullptr, 0, &size) != CUBLAS_STATUS_SUCCESS || size == 0 ||
        size > 8) {
      return -1;
    }
    uint64_t v = 0;
    if (cublasLtMatmulAlgoConfigGetAttribute(&h.algo, attr, &v, size, &size) != CUBLAS_STATUS_SUCCESS) return -1;
    return static_cast<long long>(v);
  };
  return "algo_id=" + std::to_string(get(CUBLASLT_ALGO_CONFIG_ID)) +
         " tile_id=" + std::to_string(get(CUBLASLT_ALGO_CONFIG_TILE_ID)) +
         " stages_id=" + std::to_string(get(CUBLASLT_ALGO_CONFIG_STAGES_ID)) +
         " splitk=" + std::to_string(get(CUBLASLT_ALGO_CONFIG_SPLITK_NUM)) +
         " cluster_shape_id=" + std::to_string(get(CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID)) +
         " waves=" + Json::number(h.wavesCount) + " (ids are cublasLt.h enum values)";
}

// Recomputes a few output elements on the CPU and reports how the block
// scales were laid out: cuBLASLt's documentation leaves the order of the
// scale tensors implicit, so all four orders are tried and the one that
// matches is recorded. Throws when none matches (the GEMM is wrong).
std::string spot_check(const Buffers& buf, const Variant& v, int m, int n, int k, cudaStream_t stream) {
  HWB_CUDA(cudaStreamSynchronize(stream));
  const int kb = static_cast<int>(cdiv(k, 128));
  const int mb_rows = m;  // 1x128 scales of A: m x kb
  const int nb = static_cast<int>(cdiv(n, 128));
  const bool vec_b = std::string(v.scaling) == "block_1x128_1x128";  // B scaled per row too
  const bool blocked = vec_b || std::string(v.scaling) == "block_1x128_128x128";
  std::vector<float> sa(buf.sa_count), sb(buf.sb_count);
  if (v.fp8) {
    HWB_CUDA(cudaMemcpy(sa.data(), buf.scale_a, sa.size() * 4, cudaMemcpyDeviceToHost));
    HWB_CUDA(cudaMemcpy(sb.data(), buf.scale_b, sb.size() * 4, cudaMemcpyDeviceToHost));
  }
  const size_t esz = v.fp8 ? 1 : 2;
  const int probes[][2] = {{0, 0},       {m - 1, n - 1}, {m / 3, n / 2},     {m / 2 + 7, n / 5 + 3},
                           {1, n - 130}, {m - 129, 5},   {m / 7, n / 3 + 1}, {m / 5 + 11, 129}};
  std::vector<unsigned char> arow(size_t(k) * esz), brow(size_t(k) * esz);
  // Layout hypotheses: bit 0 = A scales m-major (index kb*m + row) vs k-major;
  // bit 1 = B scales n-block-major (kb*nb + nblk) vs k-block-major.
  int ok_mask = 0xF;
  double worst = 0;
  for (const auto& p : probes) {
    const int row = std::clamp(p[0], 0, m - 1);
    const int col = std::clamp(p[1], 0, n - 1);
    HWB_CUDA(cudaMemcpy(arow.data(), static_cast<const unsigned char*>(buf.a) + size_t(row) * k * esz, arow.size(),
                        cudaMemcpyDeviceToHost));
    HWB_CUDA(cudaMemcpy(brow.data(), static_cast<const unsigned char*>(buf.b) + size_t(col) * k * esz, brow.size(),
                        cudaMemcpyDeviceToHost));
    double out = 0;
    if (v.wgrad) {
      float o = 0;
      HWB_CUDA(cudaMemcpy(&o, static_cast<const float*>(buf.d) + size_t(row) * n + col, 4, cudaMemcpyDeviceToHost));
      out = o;
    } else {
      uint16_t out_bits = 0;
      HWB_CUDA(cudaMemcpy(&out_bits, static_cast<const uint16_t*>(buf.d) + size_t(row) * n + col, 2,
                          cudaMemcpyDeviceToHost));
      out = bf16_to_float(out_bits);
    }
    for (int h = 0; h < 4; ++h) {
      if (!(ok_mask & (1 << h))) continue;
      double ref = 0, norm = 0;
      for (int kk = 0; kk < k; ++kk) {
        double x, y;
        if (v.fp8) {
          x = e4m3_to_float(arow[kk]);
          y = e4m3_to_float(brow[kk]);
        } else {
          x = bf16_to_float(reinterpret_cast<const uint16_t*>(arow.data())[kk]);
          y = bf16_to_float(reinterpret_cast<const uint16_t*>(brow.data())[kk]);
        }
        double s = 1.0;
        if (std::string(v.scaling) == "per_tensor") {
          s = double(sa[0]) * sb[0];
        } else if (blocked) {
          const int kblk = kk / 128;
          const size_t ia = (h & 1) ? size_t(kblk) * mb_rows + row : size_t(row) * kb + kblk;
          const size_t ib = vec_b ? ((h & 2) ? size_t(kblk) * n + col : size_t(col) * kb + kblk)
                                  : ((h & 2) ? size_t(kblk) * nb + col / 128 : size_t(col / 128) * kb + kblk);
          s = double(sa[ia]) * sb[ib];
        }
        ref += x * y * s;
        norm += std::fabs(x * y * s);
      }
      const double err = std::fabs(out - ref);
      worst = std::max(worst, err / (norm + 1e-30));
      if (!(err <= 0.02 * std::fabs(ref) + 2e-3 * norm) || !std::isfinite(out)) ok_mask &= ~(1 << h);
    }
    if (!blocked) ok_mask &= 1;  // hypotheses coincide
  }
  if (ok_mask == 0) {
    throw BenchError(std::string("gemm ") + v.tag + " m" + std::to_string(m) + " n" + std::to_string(n) + " k" +
                     std::to_string(k) + ": cuBLASLt output does not match the CPU reference (worst error/norm " +
                     Json::number(worst) + ")");
  }
  std::string s = "check=pass(8 elements vs CPU)";
  if (blocked) {
    s += (ok_mask & 1) ? " a_scales=m_major" : " a_scales=k_major";
    s += (ok_mask & 2) ? (vec_b ? " b_scales=n_major" : " b_scales=n_block_major")
                       : (vec_b ? " b_scales=k_major" : " b_scales=k_block_major");
    if (ok_mask != 1 && ok_mask != 2 && ok_mask != 4 && ok_mask != 8) s += "(ambiguous)";
  }
  return s;
}

// How a shape is timed: `on`/`sms`: on a stream of a green context holding
// `sms` SMs (null stream: the context's, all SMs); cuBLASLt is told the SM
// count as its target. `sustained`:
// back to back for 2 s (BenchContext::time_sustained) instead of 25 flushed
// repetitions.
struct RunMode {
  cudaStream_t on = nullptr;
  int sms = 0;
  bool sustained = false;
  // Forced configuration (tile_id > 0): the heuristic's algorithm with this
  // tile and cluster shape (cublasLt.h ids), if cublasLtMatmulAlgoCheck accepts it.
  uint32_t tile_id = 0;
  uint16_t cluster_id = 0;
};

// Sets the forced tile and cluster on `algo`; "" when cuBLASLt accepts the
// result for this GEMM, else why not.
std::string force_config(cublasLtHandle_t lt, cublasLtMatmulDesc_t op, cublasLtMatrixLayout_t la,
                         cublasLtMatrixLayout_t lb, cublasLtMatrixLayout_t lc, const RunMode& mode,
                         cublasLtMatmulAlgo_t& algo) {
  const std::string what =
      "tile_id=" + std::to_string(mode.tile_id) + " cluster_shape_id=" + std::to_string(mode.cluster_id);
  if (cublasLtMatmulAlgoConfigSetAttribute(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &mode.tile_id, sizeof mode.tile_id) !=
          CUBLAS_STATUS_SUCCESS ||
      cublasLtMatmulAlgoConfigSetAttribute(&algo, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, &mode.cluster_id,
                                           sizeof mode.cluster_id) != CUBLAS_STATUS_SUCCESS) {
    return "cuBLASLt refuses to set " + what;
  }
  cublasLtMatmulHeuristicResult_t check{};
  const cublasStatus_t st = cublasLtMatmulAlgoCheck(lt, op, la, lb, lc, lc, &algo, &check);
  if (st != CUBLAS_STATUS_SUCCESS)
    return "cublasLtMatmulAlgoCheck rejects " + what + " (status " + std::to_string(static_cast<int>(st)) + ")";
  if (check.workspaceSize > kWorkspace) return what + " needs more workspace than " + std::to_string(kWorkspace);
  return "";
}

void run_shape(BenchContext& ctx, cublasLtHandle_t lt, Buffers& buf, const Variant& v, int m, int n, int k, bool check,
               const RunMode& mode = {}) {
  const cudaStream_t on = mode.on;
  const int sms = mode.sms;
  const cudaStream_t stream = on != nullptr ? on : ctx.stream();
  const std::string forced =
      mode.tile_id > 0 ? "/tile" + std::to_string(mode.tile_id) + "_cluster" + std::to_string(mode.cluster_id) : "";
  const std::string id = ctx.id_prefix() + (mode.sustained ? "sustained/" : "") +
                         (mode.tile_id > 0 ? "gemm_forced/" : "gemm/") + v.tag +
                         (sms > 0 ? "/sms" + std::to_string(sms) : "") + "/m" + std::to_string(m) + "_n" +
                         std::to_string(n) + "_k" + std::to_string(k) + forced;
  Json params;
  params.add("m", m)
      .add("n", n)
      .add("k", k)
      .add("a_dtype", v.fp8 ? "fp8_e4m3" : "bf16")
      .add("b_dtype", v.fp8 ? "fp8_e4m3" : "bf16")
      .add("out_dtype", v.wgrad ? "fp32" : "bf16")
      .add("scaling", v.scaling)
      .add("fast_accum", v.fast_accum);
  if (v.wgrad) params.add("accumulate", true);
  if (sms > 0) params.add("sms", sms);
  const cudaDataType_t in_t = v.fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
  const size_t esz = v.fp8 ? 1 : 2;
  if (v.fp8) {
    fill_random_e4m3(static_cast<uint8_t*>(buf.a), size_t(m) * k, 41 + m, ctx.stream());
    fill_random_e4m3(static_cast<uint8_t*>(buf.b), size_t(n) * k, 42 + n, ctx.stream());
  } else {
    fill_random_bf16(static_cast<uint16_t*>(buf.a), size_t(m) * k, 43 + m, ctx.stream());
    fill_random_bf16(static_cast<uint16_t*>(buf.b), size_t(n) * k, 44 + n, ctx.stream());
  }
  (void)esz;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  HWB_BLAS(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
  HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
  if (sms > 0) {
    const int32_t target = sms;
    HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, &target, sizeof target));
  }
  if (v.fp8) {
    // cuBLAS "A" is our B (weights), cuBLAS "B" is our A (activations).
    const bool block = std::string(v.scaling) == "block_1x128_128x128";
    const size_t sa = block || v.wgrad ? size_t(m) * cdiv(k, 128) : 1;
    const size_t sb = block ? cdiv(n, 128) * cdiv(k, 128) : v.wgrad ? size_t(n) * cdiv(k, 128) : 1;
    buf.sa_count = sa;
    buf.sb_count = sb;
    fill_random_f32(buf.scale_a, sa, 45, 0.1f, 2.0f, ctx.stream());
    fill_random_f32(buf.scale_b, sb, 46, 0.1f, 2.0f, ctx.stream());
    HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &buf.scale_b, sizeof(float*)));
    HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &buf.scale_a, sizeof(float*)));
    if (v.wgrad) {
      const int32_t mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
      HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &mode, sizeof mode));
      HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mode, sizeof mode));
    } else if (block) {
      const int32_t mode_w = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
      const int32_t mode_x = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
      HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &mode_w, sizeof mode_w));
      HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &mode_x, sizeof mode_x));
    } else {
      const int8_t fast = v.fast_accum ? 1 : 0;
      HWB_BLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast));
    }
  }
  HWB_BLAS(cublasLtMatrixLayoutCreate(&la, in_t, k, n, k));
  HWB_BLAS(cublasLtMatrixLayoutCreate(&lb, in_t, k, m, k));
  HWB_BLAS(cublasLtMatrixLayoutCreate(&lc, v.wgrad ? CUDA_R_32F : CUDA_R_16BF, n, m, n));
  HWB_BLAS(cublasLtMatmulPreferenceCreate(&pref));
  const uint64_t ws = kWorkspace;
  HWB_BLAS(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
  cublasLtMatmulHeuristicResult_t heur{};
  int returned = 0;
  const cublasStatus_t hs = cublasLtMatmulAlgoGetHeuristic(lt, op, la, lb, lc, lc, pref, 1, &heur, &returned);
  std::string reason;
  if (hs != CUBLAS_STATUS_SUCCESS || returned == 0) {
    reason = "cublasLtMatmulAlgoGetHeuristic returned no algorithm (status " + std::to_string(static_cast<int>(hs)) +
             ") for scaling " + v.scaling + " on this GPU/cuBLASLt";
  }
  if (reason.empty() && mode.tile_id > 0) reason = force_config(lt, op, la, lb, lc, mode, heur.algo);
  const float alpha = 1.f, beta = v.wgrad ? 1.f : 0.f;
  auto fn = [&] {
    HWB_BLAS(cublasLtMatmul(lt, op, &alpha, buf.b, la, buf.a, lb, &beta, buf.d, lc, buf.d, lc, &heur.algo,
                            buf.workspace, kWorkspace, stream));
  };
  if (reason.empty()) {
    // A first call can still refuse the configuration: record that, do not abort.
    if (v.wgrad) HWB_CUDA(cudaMemsetAsync(buf.d, 0, size_t(m) * n * 4, stream));
    const cublasStatus_t st = cublasLtMatmul(lt, op, &alpha, buf.b, la, buf.a, lb, &beta, buf.d, lc, buf.d, lc,
                                             &heur.algo, buf.workspace, kWorkspace, stream);
    if (st != CUBLAS_STATUS_SUCCESS)
      reason = "cublasLtMatmul failed with status " + std::to_string(static_cast<int>(st));
  }
  if (!reason.empty()) {
    ctx.record(id, "gemm", params, nullptr, "cublasLt", "validation", Json(), "", reason);
    ctx.note("gemm " + std::string(v.tag) + " m" + std::to_string(m) + " n" + std::to_string(n) + " k" +
             std::to_string(k) + ": unsupported");
  } else {
    std::string detail = algo_detail(heur);
    if (check) {
      // The weight gradient reads C: start it from zero so that D = A B^T.
      if (v.wgrad) {
        HWB_CUDA(cudaMemsetAsync(buf.d, 0, size_t(m) * n * 4, stream));
      } else {
        poison(buf.d, size_t(m) * n * 2, stream);
      }
      fn();
      HWB_CUDA(cudaStreamSynchronize(stream));
      if (std::string(v.scaling) != "none" && std::string(v.scaling) != "per_tensor") {
        // A mismatch here may be our guess of the scale layout rather than
        // cuBLASLt: record it with the time instead of stopping the run.
        try {
          detail += "; " + spot_check(buf, v, m, n, k, ctx.stream());
        } catch (const BenchError& e) {
          detail += std::string("; check=FAIL: ") + e.what();
        }
      } else {
        detail += "; " + spot_check(buf, v, m, n, k, ctx.stream());
      }
    }
    const Timing t = mode.sustained ? ctx.time_sustained(fn, 2.0, on) : ctx.time(fn, ctx.reps(), true, 2, on);
    const double flops = 2.0 * m * n * double(k);
    Json d;
    d.add("TFLOPs", flops / (t.median_us * 1e6));
    ctx.record(id, "gemm", params, &t, "cublasLt", "validation", d, detail);
    if ((m == n && n == k) || mode.sustained) {
      char line[160];
      const std::string shape = m == n && n == k
                                    ? std::to_string(m) + "^3"
                                    : std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
      const std::string where =
          (mode.sustained ? " sustained" : "") + (sms > 0 ? " " + std::to_string(sms) + " SMs" : std::string());
      std::snprintf(line, sizeof line, "%-52s %.0f TFLOP/s (%.0f MHz)",
                    ("gemm " + std::string(v.tag) + " " + shape + where).c_str(), flops / (t.median_us * 1e6),
                    t.sm_clock_mhz);
      ctx.note(line);
    }
  }
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la);
  cublasLtMatrixLayoutDestroy(lb);
  cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(op);
}

}  // namespace

void run_gemm_validation(BenchContext& ctx) {
  struct Shape {
    int m, n, k;
  };
  std::vector<Shape> shapes;
  // DeepSeek-V3 projections and expert GEMMs (N x K), 1K-16K tokens.
  const int nk[][2] = {{2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048}};
  const std::vector<int> ms =
      ctx.quick() ? std::vector<int>{1024, 4096} : std::vector<int>{1024, 2048, 4096, 8192, 16384};
  for (const auto& p : nk) {
    for (int m : ms) shapes.push_back({m, p[0], p[1]});
  }
  const std::vector<int> squares =
      ctx.quick() ? std::vector<int>{1024, 4096} : std::vector<int>{1024, 2048, 4096, 8192, 16384};
  for (int s : squares) shapes.push_back({s, s, s});

  Buffers buf;
  size_t a_max = 0, b_max = 0, d_max = 0, sa_max = 0, sb_max = 0;
  for (const Shape& s : shapes) {
    a_max = std::max(a_max, size_t(s.m) * s.k * 2);
    b_max = std::max(b_max, size_t(s.n) * s.k * 2);
    d_max = std::max(d_max, size_t(s.m) * s.n * 2);
    sa_max = std::max(sa_max, size_t(s.m) * cdiv(s.k, 128));
    sb_max = std::max(sb_max, cdiv(s.n, 128) * cdiv(s.k, 128));
  }
  buf.allocate(a_max, b_max, d_max, sa_max, sb_max);
  cublasLtHandle_t lt = nullptr;
  HWB_BLAS(cublasLtCreate(&lt));
  for (const Variant& v : kVariants) {
    bool checked = false;
    for (const Shape& s : shapes) {
      // One CPU spot check per variant (the first shape), before timing.
      run_shape(ctx, lt, buf, v, s.m, s.n, s.k, !checked);
      checked = true;
    }
  }
  cublasLtDestroy(lt);
  buf.release();
}

namespace {

// A training GEMM's shape, and buffers for FP8 operands, per-row scales and an
// FP32 output large enough for every shape of the lists.
struct Shape {
  int m, n, k;
};

void allocate_for_fp8(Buffers& buf, std::initializer_list<const std::vector<Shape>*> lists) {
  size_t a_max = 0, b_max = 0, d_max = 0, sa_max = 0, sb_max = 0;
  for (const auto* list : lists) {
    for (const Shape& s : *list) {
      a_max = std::max(a_max, size_t(s.m) * s.k);
      b_max = std::max(b_max, size_t(s.n) * s.k);
      d_max = std::max(d_max, size_t(s.m) * s.n * 4);
      sa_max = std::max(sa_max, size_t(s.m) * cdiv(s.k, 128));
      sb_max = std::max(sb_max, size_t(s.n) * cdiv(s.k, 128));
    }
  }
  buf.allocate(a_max, b_max, d_max, sa_max, sb_max);
}

}  // namespace

// The GEMMs of DeepSeek-V3's FP8 training step that the inference-shaped
// validation set lacks: the weight gradients (dW[out, in] = dY^T X over the
// tokens: both operands scaled 1x128 along K = tokens, FP32 accumulated;
// 4,096 tokens for attention and the shared expert, 8,192 for a routed expert
// under balanced EP64 routing), on all SMs and on 112, and the forward GEMMs
// on the 112 SMs compute gets beside DeepEP's 20.
void run_gemm_training_validation(BenchContext& ctx) {
  const int wk[][2] = {{2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048}};
  std::vector<Shape> wgrad, fwd;
  for (const auto& p : wk) wgrad.push_back({p[0], p[1], 4096});
  wgrad.push_back({4096, 7168, 8192});
  wgrad.push_back({7168, 2048, 8192});
  for (const auto& p : wk) fwd.push_back({4096, p[0], p[1]});
  fwd.push_back({8192, 4096, 7168});
  fwd.push_back({8192, 7168, 2048});
  if (ctx.quick()) {
    wgrad.resize(2);
    fwd.resize(2);
  }
  Buffers buf;
  allocate_for_fp8(buf, {&wgrad, &fwd});
  cublasLtHandle_t lt = nullptr;
  HWB_BLAS(cublasLtCreate(&lt));
  bool checked = false;
  for (const Shape& s : wgrad) {
    run_shape(ctx, lt, buf, kWgrad, s.m, s.n, s.k, !checked);
    checked = true;
  }
  // 112 = 132 - 20: a multiple of the 8-SM granule green contexts split by on
  // Hopper. A GPU that cannot split records nothing here and says why.
  try {
    SmPartition part(ctx.sm_count() - 20);  // bench_context.hpp
    ctx.note("training: green context of " + std::to_string(part.sms) + " SMs");
    const cudaStream_t stream = part.stream();
    RunMode mode;
    mode.on = stream;
    mode.sms = part.sms;
    for (const Shape& s : wgrad) run_shape(ctx, lt, buf, kWgrad, s.m, s.n, s.k, false, mode);
    bool fwd_checked = false;
    for (const Shape& s : fwd) {
      run_shape(ctx, lt, buf, kVariants[3], s.m, s.n, s.k, !fwd_checked, mode);
      fwd_checked = true;
    }
  } catch (const BenchError& e) {
    ctx.note(std::string("training: SM-subset GEMMs not measured: ") + e.what());
  }
  cublasLtDestroy(lt);
  buf.release();
}

// The training step's GEMMs in the regime a step runs them: back to back for
// seconds (the power cap's slow response settled; the flushed repetitions of
// the other parts run in short trains, faster), on all SMs and on the 112 of
// a green context (the SMs DeepEP's 20 leave). Weight gradients (1x128 x
// 1x128, FP32 accumulated) and forward block-scaled GEMMs of V3's expert and
// attention projections. (Holding 20 SMs with resident CTAs instead, as DeepEP
// does, hung cuBLASLt's kernels on the H100: a GEMM launched for 112 SMs
// beside them never finished, so the split here is the green context's.)
// Forced configurations: each shape under several tiles and cluster shapes
// cuBLASLt offers (its own choice among them), so the engine's error at a
// known configuration can be told from the error of choosing one. Records
// carry "configuration": "forced" and are scored in classes of their own.
void run_gemm_forced_validation(BenchContext& ctx) {
  // (tile id, M x N as cuBLAS names it: the GEMM's N x M), cluster ids 1x1x1, 1x2x1, 2x1x1.
  const uint32_t tiles[] = {20 /*128x128*/,  24 /*256x128*/,  23 /*128x256*/,
                            184 /*144x128*/, 201 /*176x128*/, 209 /*192x192*/};
  const uint16_t clusters[] = {2, 5, 3};
  std::vector<Shape> shapes = {{4096, 4096, 4096}, {4096, 2112, 7168}, {2048, 7168, 16384}, {8192, 7168, 2048}};
  if (ctx.quick()) shapes.resize(1);
  Buffers buf;
  size_t a_max = 0, b_max = 0, d_max = 0;
  for (const Shape& s : shapes) {
    a_max = std::max(a_max, size_t(s.m) * s.k * 2);
    b_max = std::max(b_max, size_t(s.n) * s.k * 2);
    d_max = std::max(d_max, size_t(s.m) * s.n * 2);
  }
  buf.allocate(a_max, b_max, d_max, 1, 1);
  cublasLtHandle_t lt = nullptr;
  HWB_BLAS(cublasLtCreate(&lt));
  ctx.set_record_extra("configuration", "forced");
  for (const Variant& v : {kVariants[0], kVariants[2]}) {  // BF16, FP8 per-tensor
    for (const Shape& s : shapes) {
      for (uint32_t tile : tiles) {
        for (uint16_t cluster : clusters) {
          RunMode mode;
          mode.tile_id = tile;
          mode.cluster_id = cluster;
          run_shape(ctx, lt, buf, v, s.m, s.n, s.k, false, mode);
        }
      }
    }
  }
  ctx.clear_record_extra();
  cublasLtDestroy(lt);
  buf.release();
}

void run_gemm_sustained_validation(BenchContext& ctx) {
  std::vector<Shape> wgrad = {{4096, 7168, 8192}, {7168, 2048, 8192}, {7168, 16384, 4096}, {24576, 1536, 4096}};
  std::vector<Shape> fwd = {{8192, 4096, 7168}, {8192, 7168, 2048}, {4096, 7168, 16384}, {4096, 24576, 1536}};
  if (ctx.quick()) {
    wgrad.resize(1);
    fwd.resize(1);
  }
  Buffers buf;
  allocate_for_fp8(buf, {&wgrad, &fwd});
  cublasLtHandle_t lt = nullptr;
  HWB_BLAS(cublasLtCreate(&lt));
  ctx.set_record_extra("regime", "sustained");
  auto run_all = [&](const RunMode& mode) {
    for (const Shape& s : wgrad) run_shape(ctx, lt, buf, kWgrad, s.m, s.n, s.k, false, mode);
    for (const Shape& s : fwd) run_shape(ctx, lt, buf, kVariants[3], s.m, s.n, s.k, false, mode);
  };
  RunMode all;
  all.sustained = true;
  run_all(all);
  try {
    SmPartition part(ctx.sm_count() - 20);  // as the training part
    RunMode sub = all;
    sub.on = part.stream();
    sub.sms = part.sms;
    run_all(sub);
  } catch (const BenchError& e) {
    ctx.note(std::string("sustained: SM-subset GEMMs not measured: ") + e.what());
  }
  ctx.clear_record_extra();
  cublasLtDestroy(lt);
  buf.release();
}

}  // namespace hwbench
