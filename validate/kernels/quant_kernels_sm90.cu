// Validation kernels of DeepSeek-V3's FP8 recipe (V3 report section 3.3):
// activation quantization 1x128 (quant_1x128), weight quantization 128x128
// (quant_128x128) and the transposed re-quantization of 1x128-scaled FP8
// activations into 128x1-scaled FP8 (transpose_requant), each checked against
// a CPU reference before it is timed. Scale = amax / 448 (E4M3's largest
// finite value) and q = x * (448 / amax), one division per group, as in
// DeepSeek's public reference casts (DeepGEMM's per_token_cast_to_fp8); an
// all-zero group gets scale 1. Conversions go two values per instruction
// (cvt ... e4m3x2 / f16x2). Designs: validate/kernels/README.md.
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "bench_context.hpp"
#include "host_reference.hpp"

namespace hwbench {
namespace {

constexpr float kE4m3Max = 448.f;

__device__ __forceinline__ float group_scale(float amax) { return amax > 0.f ? amax / kE4m3Max : 1.f; }
__device__ __forceinline__ float group_inverse(float amax) { return amax > 0.f ? kE4m3Max / amax : 1.f; }
// Two floats -> two E4M3 bytes (lo in the low byte), round to nearest, saturating.
__device__ __forceinline__ uint32_t to_e4m3x2(float lo, float hi) {
  return static_cast<uint32_t>(__nv_cvt_float2_to_fp8x2(make_float2(lo, hi), __NV_SATFINITE, __NV_E4M3));
}
// Two E4M3 bytes (low 16 bits) -> two floats (exact, through half).
__device__ __forceinline__ float2 from_e4m3x2(uint32_t two) {
  const __half2_raw h = __nv_cvt_fp8x2_to_halfraw2(static_cast<__nv_fp8x2_storage_t>(two & 0xFFFF), __NV_E4M3);
  return __half22float2(__half2(h));
}
__device__ __forceinline__ void from_e4m3x4(uint32_t word, float* f) {
  const float2 a = from_e4m3x2(word), b = from_e4m3x2(word >> 16);
  f[0] = a.x;
  f[1] = a.y;
  f[2] = b.x;
  f[3] = b.y;
}
__device__ __forceinline__ uint2 quantize8(const float* f, float inv) {
  return make_uint2(to_e4m3x2(f[0] * inv, f[1] * inv) | (to_e4m3x2(f[2] * inv, f[3] * inv) << 16),
                    to_e4m3x2(f[4] * inv, f[5] * inv) | (to_e4m3x2(f[6] * inv, f[7] * inv) << 16));
}
__device__ __forceinline__ void unpack_bf16x8(const uint4& v, float* f) {
  const uint32_t w[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    f[2 * i] = __uint_as_float(w[i] << 16);
    f[2 * i + 1] = __uint_as_float(w[i] & 0xFFFF0000u);
  }
}

// ---- quant_1x128: one thread per 16-byte vector (8 bf16); 16 consecutive
// lanes hold one 128-element group and reduce its amax with shuffles.
__global__ void __launch_bounds__(256)
    quant_1x128_kernel(const uint4* __restrict__ x, uint2* __restrict__ q, float* __restrict__ scales, size_t vectors) {
  const size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  const bool live = i < vectors;  // vectors is a multiple of 16, so groups never straddle
  float f[8] = {};
  if (live) unpack_bf16x8(x[i], f);
  float amax = 0.f;
#pragma unroll
  for (int j = 0; j < 8; ++j) amax = fmaxf(amax, fabsf(f[j]));
#pragma unroll
  for (int off = 8; off > 0; off >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, off));
  if (!live) return;
  q[i] = quantize8(f, group_inverse(amax));
  if ((threadIdx.x & 15) == 0) scales[i / 16] = group_scale(amax);
}

// ---- quant_128x128: one CTA (256 threads) per 128x128 tile; each thread
// keeps 8 vectors (64 values) in registers, so memory is read once.
__global__ void __launch_bounds__(256)
    quant_128x128_kernel(const uint4* __restrict__ w, uint2* __restrict__ q, float* __restrict__ scales, int k) {
  __shared__ float warp_amax[8];
  const int col_vec = threadIdx.x & 15;  // 16 vectors of 8 across the 128 columns
  const int row0 = threadIdx.x >> 4;     // rows row0 + 16 j
  const size_t kv = size_t(k) / 8;
  const size_t base_row = size_t(blockIdx.y) * 128;
  const size_t base_col = size_t(blockIdx.x) * 16;
  float f[8][8];
  float amax = 0.f;
#pragma unroll
  for (int j = 0; j < 8; ++j) {
    unpack_bf16x8(w[(base_row + row0 + 16 * j) * kv + base_col + col_vec], f[j]);
#pragma unroll
    for (int e = 0; e < 8; ++e) amax = fmaxf(amax, fabsf(f[j][e]));
  }
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, off));
  if ((threadIdx.x & 31) == 0) warp_amax[threadIdx.x >> 5] = amax;
  __syncthreads();
  amax = warp_amax[0];
#pragma unroll
  for (int i = 1; i < 8; ++i) amax = fmaxf(amax, warp_amax[i]);
  const float inv = group_inverse(amax);
#pragma unroll
  for (int j = 0; j < 8; ++j) q[(base_row + row0 + 16 * j) * kv + base_col + col_vec] = quantize8(f[j], inv);
  if (threadIdx.x == 0) scales[size_t(blockIdx.y) * (k / 128) + blockIdx.x] = group_scale(amax);
}

// ---- transpose_requant: one CTA (256 threads) per 128(m) x 128(k) tile.
// 1. coalesced 16-byte loads of the FP8 tile into shared memory (16 KiB);
// 2. pass 1: warp w takes rows 16w..16w+15, lane l columns 4l..4l+3 (one
//    4-byte shared load per row), dequantizes and keeps a per-column amax;
//    a cross-warp max in shared memory gives each column's 128x1 scale;
// 3. pass 2: re-reads, re-quantizes, packs 16 rows of a column into 16
//    bytes and writes them into a [k][m] shared tile with an XOR swizzle of
//    the 16-byte slot (bank-conflict free);
// 4. coalesced 16-byte stores of the transposed tile.
__global__ void __launch_bounds__(256)
    transpose_requant_kernel(const uint8_t* __restrict__ q_in, const float* __restrict__ s_in,
                             uint8_t* __restrict__ q_out, float* __restrict__ s_out, int m, int k) {
  __shared__ __align__(16) uint8_t tile_in[128][128];
  __shared__ __align__(16) uint8_t tile_out[128][128];
  __shared__ float row_scale[128];
  __shared__ float red[8][128];
  const int m0 = blockIdx.y * 128;
  const int k0 = blockIdx.x * 128;
  const int tid = threadIdx.x;
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const int c = tid + 256 * j;
    const int row = c >> 3, ch = c & 7;
    *reinterpret_cast<uint4*>(&tile_in[row][ch * 16]) =
        *reinterpret_cast<const uint4*>(q_in + size_t(m0 + row) * k + k0 + ch * 16);
  }
  if (tid < 128) row_scale[tid] = s_in[size_t(m0 + tid) * (k / 128) + blockIdx.x];
  __syncthreads();
  const int w = tid >> 5, lane = tid & 31;
  float cmax[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll 4
  for (int r = 0; r < 16; ++r) {
    const int row = 16 * w + r;
    float v[4];
    from_e4m3x4(*reinterpret_cast<const uint32_t*>(&tile_in[row][4 * lane]), v);
    const float rs = row_scale[row];
#pragma unroll
    for (int c = 0; c < 4; ++c) cmax[c] = fmaxf(cmax[c], fabsf(v[c] * rs));
  }
#pragma unroll
  for (int c = 0; c < 4; ++c) red[w][4 * lane + c] = cmax[c];
  __syncthreads();
  float col_inv[4];
#pragma unroll
  for (int c = 0; c < 4; ++c) {
    float a = red[0][4 * lane + c];
#pragma unroll
    for (int i = 1; i < 8; ++i) a = fmaxf(a, red[i][4 * lane + c]);
    col_inv[c] = group_inverse(a);
    if (w == 0) s_out[size_t(k0 + 4 * lane + c) * (m / 128) + blockIdx.y] = group_scale(a);
  }
  uint32_t packed[4][4] = {};
#pragma unroll
  for (int r = 0; r < 16; r += 2) {  // two rows at a time: one e4m3x2 conversion per column
    const int row = 16 * w + r;
    float v0[4], v1[4];
    from_e4m3x4(*reinterpret_cast<const uint32_t*>(&tile_in[row][4 * lane]), v0);
    from_e4m3x4(*reinterpret_cast<const uint32_t*>(&tile_in[row + 1][4 * lane]), v1);
    const float rs0 = row_scale[row], rs1 = row_scale[row + 1];
#pragma unroll
    for (int c = 0; c < 4; ++c) {
      packed[c][r >> 2] |= to_e4m3x2(v0[c] * rs0 * col_inv[c], v1[c] * rs1 * col_inv[c]) << (8 * (r & 3));
    }
  }
#pragma unroll
  for (int c = 0; c < 4; ++c) {
    const int slot = w ^ (lane & 7);  // row (4 lane + c) / 4 = lane
    *reinterpret_cast<uint4*>(&tile_out[4 * lane + c][slot * 16]) =
        make_uint4(packed[c][0], packed[c][1], packed[c][2], packed[c][3]);
  }
  __syncthreads();
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const int c = tid + 256 * j;
    const int row = c >> 3, ch = c & 7;
    const int slot = ch ^ ((row >> 2) & 7);
    *reinterpret_cast<uint4*>(q_out + size_t(k0 + row) * m + m0 + ch * 16) =
        *reinterpret_cast<const uint4*>(&tile_out[row][slot * 16]);
  }
}

// ---------------------------------------------------------------- CPU references
float ref_scale(float amax) { return amax > 0.f ? amax / kE4m3Max : 1.f; }
float ref_inverse(float amax) { return amax > 0.f ? kE4m3Max / amax : 1.f; }

// Compares FP8 codes and scales; exact agreement is expected (same IEEE
// operations on both sides). Throws with a count of mismatches otherwise.
void expect_equal(const char* what, const std::vector<uint8_t>& got, const std::vector<uint8_t>& want,
                  const std::vector<float>& got_s, const std::vector<float>& want_s) {
  size_t bad = 0, bad_s = 0;
  for (size_t i = 0; i < want.size(); ++i) bad += got[i] != want[i];
  for (size_t i = 0; i < want_s.size(); ++i) bad_s += !(got_s[i] == want_s[i]);
  if (bad != 0 || bad_s != 0) {
    throw BenchError(std::string(what) + ": GPU result differs from the CPU reference in " + std::to_string(bad) +
                     " of " + std::to_string(want.size()) + " FP8 values and " + std::to_string(bad_s) + " of " +
                     std::to_string(want_s.size()) + " scales");
  }
}

void check_quant_1x128(const std::vector<uint16_t>& x, int m, int k, const std::vector<uint8_t>& q,
                       const std::vector<float>& s) {
  std::vector<uint8_t> rq(x.size());
  std::vector<float> rs(size_t(m) * (k / 128));
  for (size_t g = 0; g < rs.size(); ++g) {
    float amax = 0.f;
    for (int e = 0; e < 128; ++e) amax = std::max(amax, std::fabs(host_bf16_to_float(x[g * 128 + e])));
    rs[g] = ref_scale(amax);
    const float inv = ref_inverse(amax);
    for (int e = 0; e < 128; ++e) rq[g * 128 + e] = host_float_to_e4m3(host_bf16_to_float(x[g * 128 + e]) * inv);
  }
  expect_equal("quant_1x128", q, rq, s, rs);
}

void check_quant_128x128(const std::vector<uint16_t>& wt, int n, int k, const std::vector<uint8_t>& q,
                         const std::vector<float>& s) {
  std::vector<uint8_t> rq(wt.size());
  std::vector<float> rs(size_t(n / 128) * (k / 128));
  for (int bn = 0; bn < n / 128; ++bn) {
    for (int bk = 0; bk < k / 128; ++bk) {
      float amax = 0.f;
      for (int r = 0; r < 128; ++r)
        for (int c = 0; c < 128; ++c)
          amax = std::max(amax, std::fabs(host_bf16_to_float(wt[size_t(bn * 128 + r) * k + bk * 128 + c])));
      rs[size_t(bn) * (k / 128) + bk] = ref_scale(amax);
      const float inv = ref_inverse(amax);
      for (int r = 0; r < 128; ++r)
        for (int c = 0; c < 128; ++c) {
          const size_t i = size_t(bn * 128 + r) * k + bk * 128 + c;
          rq[i] = host_float_to_e4m3(host_bf16_to_float(wt[i]) * inv);
        }
    }
  }
  expect_equal("quant_128x128", q, rq, s, rs);
}

void check_transpose_requant(const std::vector<uint8_t>& qi, const std::vector<float>& si, int m, int k,
                             const std::vector<uint8_t>& qo, const std::vector<float>& so) {
  std::vector<uint8_t> rq(qi.size());
  std::vector<float> rs(size_t(k) * (m / 128));
  for (int col = 0; col < k; ++col) {
    for (int bm = 0; bm < m / 128; ++bm) {
      float amax = 0.f;
      for (int r = bm * 128; r < bm * 128 + 128; ++r)
        amax = std::max(amax,
                        std::fabs(host_e4m3_to_float(qi[size_t(r) * k + col]) * si[size_t(r) * (k / 128) + col / 128]));
      rs[size_t(col) * (m / 128) + bm] = ref_scale(amax);
      const float inv = ref_inverse(amax);
      for (int r = bm * 128; r < bm * 128 + 128; ++r) {
        const float v = host_e4m3_to_float(qi[size_t(r) * k + col]) * si[size_t(r) * (k / 128) + col / 128];
        rq[size_t(col) * m + r] = host_float_to_e4m3(v * inv);
      }
    }
  }
  expect_equal("transpose_requant", qo, rq, so, rs);
}

// ---------------------------------------------------------------- drivers
std::string shape_id(const char* a, int x, const char* b, int y) {
  return std::string(a) + std::to_string(x) + "_" + b + std::to_string(y);
}

void bench_quant_1x128(BenchContext& ctx, int m, int k, bool check) {
  const size_t count = size_t(m) * k;
  uint16_t* x = nullptr;
  uint8_t* q = nullptr;
  float* s = nullptr;
  HWB_CUDA(cudaMalloc(&x, count * 2));
  HWB_CUDA(cudaMalloc(&q, count));
  HWB_CUDA(cudaMalloc(&s, count / 128 * 4));
  fill_random_bf16(x, count, 51 + m + k, ctx.stream());
  const size_t vectors = count / 8;
  const unsigned grid = static_cast<unsigned>((vectors + 255) / 256);
  auto fn = [&] {
    quant_1x128_kernel<<<grid, 256, 0, ctx.stream()>>>(reinterpret_cast<const uint4*>(x), reinterpret_cast<uint2*>(q),
                                                       s, vectors);
  };
  if (check) {
    poison(q, count, ctx.stream());
    poison(s, count / 128 * 4, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    check_quant_1x128(download<uint16_t>(x, count), m, k, download<uint8_t>(q, count), download<float>(s, count / 128));
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("m", m).add("k", k);
  const double bytes = count * 2.0 + count + count / 128 * 4.0;
  Json d;
  d.add("bytes_min", bytes).add("GBps", bytes / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + "quant_1x128/" + shape_id("m", m, "k", k), "quant_1x128", params, &t, "hwbench",
             "validation", d, check ? "check=pass(CPU reference, bit-exact)" : "");
  HWB_CUDA(cudaFree(x));
  HWB_CUDA(cudaFree(q));
  HWB_CUDA(cudaFree(s));
}

void bench_quant_128x128(BenchContext& ctx, int n, int k, bool check) {
  const size_t count = size_t(n) * k;
  const size_t ns = count / (128 * 128);
  uint16_t* w = nullptr;
  uint8_t* q = nullptr;
  float* s = nullptr;
  HWB_CUDA(cudaMalloc(&w, count * 2));
  HWB_CUDA(cudaMalloc(&q, count));
  HWB_CUDA(cudaMalloc(&s, ns * 4));
  fill_random_bf16(w, count, 52 + n + k, ctx.stream());
  const dim3 grid(static_cast<unsigned>(k / 128), static_cast<unsigned>(n / 128));
  auto fn = [&] {
    quant_128x128_kernel<<<grid, 256, 0, ctx.stream()>>>(reinterpret_cast<const uint4*>(w), reinterpret_cast<uint2*>(q),
                                                         s, k);
  };
  if (check) {
    poison(q, count, ctx.stream());
    poison(s, ns * 4, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    check_quant_128x128(download<uint16_t>(w, count), n, k, download<uint8_t>(q, count), download<float>(s, ns));
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("n", n).add("k", k);
  const double bytes = count * 3.0 + ns * 4.0;
  Json d;
  d.add("bytes_min", bytes).add("GBps", bytes / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + "quant_128x128/" + shape_id("n", n, "k", k), "quant_128x128", params, &t, "hwbench",
             "validation", d, check ? "check=pass(CPU reference, bit-exact)" : "");
  HWB_CUDA(cudaFree(w));
  HWB_CUDA(cudaFree(q));
  HWB_CUDA(cudaFree(s));
}

void bench_transpose_requant(BenchContext& ctx, int m, int k, bool check) {
  const size_t count = size_t(m) * k;
  uint8_t* qi = nullptr;
  uint8_t* qo = nullptr;
  float* si = nullptr;
  float* so = nullptr;
  HWB_CUDA(cudaMalloc(&qi, count));
  HWB_CUDA(cudaMalloc(&qo, count));
  HWB_CUDA(cudaMalloc(&si, count / 128 * 4));
  HWB_CUDA(cudaMalloc(&so, count / 128 * 4));
  fill_random_e4m3(qi, count, 53 + m + k, ctx.stream());
  fill_random_f32(si, count / 128, 54 + m, 1e-3f, 1e-2f, ctx.stream());
  const dim3 grid(static_cast<unsigned>(k / 128), static_cast<unsigned>(m / 128));
  auto fn = [&] { transpose_requant_kernel<<<grid, 256, 0, ctx.stream()>>>(qi, si, qo, so, m, k); };
  if (check) {
    poison(qo, count, ctx.stream());
    poison(so, count / 128 * 4, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    check_transpose_requant(download<uint8_t>(qi, count), download<float>(si, count / 128), m, k,
                            download<uint8_t>(qo, count), download<float>(so, count / 128));
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("m", m).add("k", k);
  const double bytes = count * 2.0 + count / 128 * 8.0;
  Json d;
  d.add("bytes_min", bytes).add("GBps", bytes / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + "transpose_requant/" + shape_id("m", m, "k", k), "transpose_requant", params, &t,
             "hwbench", "validation", d, check ? "check=pass(CPU reference, bit-exact)" : "");
  HWB_CUDA(cudaFree(qi));
  HWB_CUDA(cudaFree(qo));
  HWB_CUDA(cudaFree(si));
  HWB_CUDA(cudaFree(so));
}

}  // namespace

void run_quant_validation(BenchContext& ctx) {
  const std::vector<int> tokens =
      ctx.quick() ? std::vector<int>{512, 4096} : std::vector<int>{128, 512, 1024, 2048, 4096, 8192, 16384};
  for (int k : {7168, 2048}) {
    for (int m : tokens) bench_quant_1x128(ctx, m, k, m == 512);
  }
  // Weight shapes (N x K) of DeepSeek-V3's projections and experts, plus one that fits in L2.
  const int weights[][2] = {{512, 7168},  {2048, 7168},  {7168, 2048},  {2112, 7168},
                            {4096, 7168}, {7168, 16384}, {24576, 1536}, {32768, 512}};
  bool first = true;
  for (const auto& w : weights) {
    if (ctx.quick() && !first) break;
    bench_quant_128x128(ctx, w[0], w[1], first);
    first = false;
  }
  for (int k : {7168, 2048}) {
    for (int m : tokens) bench_transpose_requant(ctx, m, k, m == 512);
  }
  ctx.note("quant kernels: CPU reference checks passed (bit-exact)");
}

}  // namespace hwbench
