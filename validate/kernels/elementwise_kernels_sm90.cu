// Validation kernels for memory-bound elementwise work at DeepSeek-V3 shapes:
// BF16 transpose, SwiGLU, RMSNorm, and device copy / streaming read /
// streaming write (stream_kernels_sm90.cu). Each is checked against a CPU
// reference before it is timed. Designs: validate/kernels/README.md.
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "bench_context.hpp"
#include "host_reference.hpp"

namespace hwbench {
namespace {

__device__ __forceinline__ float lo_bf16(uint32_t w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float hi_bf16(uint32_t w) { return __uint_as_float(w & 0xFFFF0000u); }
__device__ __forceinline__ uint32_t pack_bf16(float lo, float hi) {
  return static_cast<uint32_t>(__bfloat16_as_ushort(__float2bfloat16_rn(lo))) |
         (static_cast<uint32_t>(__bfloat16_as_ushort(__float2bfloat16_rn(hi))) << 16);
}

// ---- transpose: 64x64 tiles, 256 threads. Each thread loads two 16-byte
// vectors (8 bf16 along k), scatters them into a [k][m] shared tile with a
// 66-element row pitch (odd word pitch: at most 2-way conflicts on the 2-byte
// stores, none on the 4-byte reads), then gathers 8 m-consecutive values with
// four 4-byte shared loads and writes them as one 16-byte vector.
constexpr int kTile = 64;
constexpr int kPitch = kTile + 2;
__global__ void __launch_bounds__(256)
    transpose_bf16_kernel(const uint16_t* __restrict__ x, uint16_t* __restrict__ y, int m, int k) {
  __shared__ __align__(16) uint16_t tile[kTile][kPitch];
  const int m0 = blockIdx.y * kTile, k0 = blockIdx.x * kTile;
  uint4 v[2];
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    const int id = threadIdx.x + 256 * j;
    const int row = id >> 3, ch = id & 7;
    v[j] = *reinterpret_cast<const uint4*>(x + size_t(m0 + row) * k + k0 + ch * 8);
  }
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    const int id = threadIdx.x + 256 * j;
    const int row = id >> 3, ch = id & 7;
    const uint32_t w[4] = {v[j].x, v[j].y, v[j].z, v[j].w};
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      tile[ch * 8 + 2 * e][row] = static_cast<uint16_t>(w[e] & 0xFFFF);
      tile[ch * 8 + 2 * e + 1][row] = static_cast<uint16_t>(w[e] >> 16);
    }
  }
  __syncthreads();
#pragma unroll
  for (int j = 0; j < 2; ++j) {
    const int id = threadIdx.x + 256 * j;
    const int row = id >> 3, ch = id & 7;  // row: k within tile; ch: 8 m values
    const uint32_t* src = reinterpret_cast<const uint32_t*>(&tile[row][ch * 8]);
    *reinterpret_cast<uint4*>(y + size_t(k0 + row) * m + m0 + ch * 8) = make_uint4(src[0], src[1], src[2], src[3]);
  }
}

// ---- SwiGLU: out[r, c] = silu(x[r, c]) * x[r, n + c]; one thread per 8
// outputs: two 16-byte loads (gate, up), one 16-byte store; grid covers all.
__global__ void __launch_bounds__(256)
    swiglu_kernel(const uint4* __restrict__ x, uint4* __restrict__ out, int n, size_t vectors) {
  const size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
  if (i >= vectors) return;
  const size_t nv = size_t(n) / 8;
  const size_t row = i / nv, cv = i % nv;
  const uint4 g = x[row * 2 * nv + cv];
  const uint4 u = x[row * 2 * nv + nv + cv];
  const uint32_t gw[4] = {g.x, g.y, g.z, g.w}, uw[4] = {u.x, u.y, u.z, u.w};
  uint32_t o[4];
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    const float g0 = lo_bf16(gw[e]), g1 = hi_bf16(gw[e]);
    const float r0 = g0 / (1.f + expf(-g0)) * lo_bf16(uw[e]);
    const float r1 = g1 / (1.f + expf(-g1)) * hi_bf16(uw[e]);
    o[e] = pack_bf16(r0, r1);
  }
  out[i] = make_uint4(o[0], o[1], o[2], o[3]);
}

// ---- RMSNorm: one CTA per row, min(128, n/8 rounded up to a warp) threads;
// each thread holds up to kMaxVec 16-byte vectors of the row in registers
// (n <= 8192), so the row is read once: sum of squares -> block reduction ->
// y = x * rsqrt(mean + eps) * w.
constexpr int kNormThreads = 128;
constexpr int kMaxVec = 8;
constexpr float kEps = 1e-6f;
__global__ void __launch_bounds__(kNormThreads)
    rmsnorm_kernel(const uint4* __restrict__ x, const uint4* __restrict__ w, uint4* __restrict__ y, int n) {
  __shared__ float partial[kNormThreads / 32];
  const int nv = n / 8;
  const uint4* xr = x + size_t(blockIdx.x) * nv;
  uint4 v[kMaxVec];
  float ss = 0.f;
#pragma unroll
  for (int j = 0; j < kMaxVec; ++j) {
    const int c = threadIdx.x + j * blockDim.x;
    if (c < nv) {
      v[j] = xr[c];
      const uint32_t a[4] = {v[j].x, v[j].y, v[j].z, v[j].w};
#pragma unroll
      for (int e = 0; e < 4; ++e) ss += lo_bf16(a[e]) * lo_bf16(a[e]) + hi_bf16(a[e]) * hi_bf16(a[e]);
    }
  }
#pragma unroll
  for (int off = 16; off > 0; off >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, off);
  if ((threadIdx.x & 31) == 0) partial[threadIdx.x >> 5] = ss;
  __syncthreads();
  float total = 0.f;
  for (int i = 0; i < static_cast<int>(blockDim.x / 32); ++i) total += partial[i];
  const float rstd = rsqrtf(total / n + kEps);
#pragma unroll
  for (int j = 0; j < kMaxVec; ++j) {
    const int c = threadIdx.x + j * blockDim.x;
    if (c < nv) {
      const uint4 wv = w[c];
      const uint32_t a[4] = {v[j].x, v[j].y, v[j].z, v[j].w}, b[4] = {wv.x, wv.y, wv.z, wv.w};
      uint32_t o[4];
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        o[e] = pack_bf16(lo_bf16(a[e]) * rstd * lo_bf16(b[e]), hi_bf16(a[e]) * rstd * hi_bf16(b[e]));
      }
      y[size_t(blockIdx.x) * nv + c] = make_uint4(o[0], o[1], o[2], o[3]);
    }
  }
}

// ---------------------------------------------------------------- checks
// BF16 outputs against a double-precision reference: within 1% of the
// value or 1e-3 absolute (BF16 keeps 8 significant bits, 0.4% spacing).
void expect_close(const char* what, const std::vector<uint16_t>& got, const std::vector<double>& want) {
  size_t bad = 0;
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double g = host_bf16_to_float(got[i]);
    const double err = std::fabs(g - want[i]);
    worst = std::max(worst, err / (std::fabs(want[i]) + 1e-3));
    if (!(err <= 1e-2 * std::fabs(want[i]) + 1e-3)) ++bad;
  }
  if (bad != 0) {
    throw BenchError(std::string(what) + ": " + std::to_string(bad) + " of " + std::to_string(want.size()) +
                     " outputs differ from the CPU reference (worst relative error " + Json::number(worst) + ")");
  }
}

struct DeviceBuffer {
  void* p = nullptr;
  explicit DeviceBuffer(size_t bytes) { HWB_CUDA(cudaMalloc(&p, bytes)); }
  ~DeviceBuffer() { cudaFree(p); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <typename T>
  T* as() const {
    return static_cast<T*>(p);
  }
};

void emit(BenchContext& ctx, const std::string& id, const char* kernel, const Json& params, const Timing& t,
          double bytes, bool checked) {
  Json d;
  d.add("bytes_min", bytes).add("GBps", bytes / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + id, kernel, params, &t, "hwbench", "validation", d,
             checked ? "check=pass(CPU reference)" : "");
}

void bench_transpose(BenchContext& ctx, int m, int k, bool check) {
  const size_t count = size_t(m) * k;
  DeviceBuffer x(count * 2), y(count * 2);
  fill_random_bf16(x.as<uint16_t>(), count, 61 + m + k, ctx.stream());
  const dim3 grid(static_cast<unsigned>(k / kTile), static_cast<unsigned>(m / kTile));
  auto fn = [&] { transpose_bf16_kernel<<<grid, 256, 0, ctx.stream()>>>(x.as<uint16_t>(), y.as<uint16_t>(), m, k); };
  if (check) {
    poison(y.p, count * 2, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    const auto hx = download<uint16_t>(x.p, count);
    const auto hy = download<uint16_t>(y.p, count);
    for (int r = 0; r < m; ++r)
      for (int c = 0; c < k; ++c)
        if (hy[size_t(c) * m + r] != hx[size_t(r) * k + c])
          throw BenchError("transpose: mismatch at m=" + std::to_string(r) + " k=" + std::to_string(c));
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("m", m).add("k", k).add("dtype", "bf16");
  emit(ctx, "transpose/bf16/m" + std::to_string(m) + "_k" + std::to_string(k), "transpose", params, t, count * 4.0,
       check);
}

void bench_swiglu(BenchContext& ctx, int m, int n, bool check) {
  const size_t out_count = size_t(m) * n;
  DeviceBuffer x(out_count * 4), y(out_count * 2);
  fill_random_bf16(x.as<uint16_t>(), out_count * 2, 62 + m + n, ctx.stream());
  const size_t vectors = out_count / 8;
  const unsigned grid = static_cast<unsigned>((vectors + 255) / 256);
  auto fn = [&] { swiglu_kernel<<<grid, 256, 0, ctx.stream()>>>(x.as<const uint4>(), y.as<uint4>(), n, vectors); };
  if (check) {
    poison(y.p, out_count * 2, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    const auto hx = download<uint16_t>(x.p, out_count * 2);
    std::vector<double> want(out_count);
    for (int r = 0; r < m; ++r)
      for (int c = 0; c < n; ++c) {
        const double g = host_bf16_to_float(hx[size_t(r) * 2 * n + c]);
        const double u = host_bf16_to_float(hx[size_t(r) * 2 * n + n + c]);
        want[size_t(r) * n + c] = g / (1.0 + std::exp(-g)) * u;
      }
    expect_close("swiglu", download<uint16_t>(y.p, out_count), want);
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("m", m).add("n", n);
  emit(ctx, "swiglu/m" + std::to_string(m) + "_n" + std::to_string(n), "swiglu", params, t, out_count * 6.0, check);
}

void bench_rmsnorm(BenchContext& ctx, int m, int n, bool check) {
  if (n % 8 != 0 || n / 8 > kMaxVec * kNormThreads || n < 256)
    throw BenchError("rmsnorm: n must be a multiple of 8 in [256, 8192], got " + std::to_string(n));
  const size_t count = size_t(m) * n;
  DeviceBuffer x(count * 2), w(size_t(n) * 2), y(count * 2);
  fill_random_bf16(x.as<uint16_t>(), count, 63 + m + n, ctx.stream());
  fill_random_bf16(w.as<uint16_t>(), n, 64 + n, ctx.stream());
  const unsigned threads = static_cast<unsigned>(std::min(kNormThreads, (n / 8 + 31) / 32 * 32));
  auto fn = [&] {
    rmsnorm_kernel<<<static_cast<unsigned>(m), threads, 0, ctx.stream()>>>(x.as<const uint4>(), w.as<const uint4>(),
                                                                           y.as<uint4>(), n);
  };
  if (check) {
    poison(y.p, count * 2, ctx.stream());
    fn();
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    const auto hx = download<uint16_t>(x.p, count);
    const auto hw = download<uint16_t>(w.p, n);
    std::vector<double> want(count);
    for (int r = 0; r < m; ++r) {
      double ss = 0;
      for (int c = 0; c < n; ++c) ss += std::pow(double(host_bf16_to_float(hx[size_t(r) * n + c])), 2);
      const double rstd = 1.0 / std::sqrt(ss / n + kEps);
      for (int c = 0; c < n; ++c)
        want[size_t(r) * n + c] = host_bf16_to_float(hx[size_t(r) * n + c]) * rstd * host_bf16_to_float(hw[c]);
    }
    expect_close("rmsnorm", download<uint16_t>(y.p, count), want);
  }
  const Timing t = ctx.time(fn, ctx.reps(), true);
  Json params;
  params.add("m", m).add("n", n);
  emit(ctx, "rmsnorm/m" + std::to_string(m) + "_n" + std::to_string(n), "rmsnorm", params, t, count * 4.0 + n * 2.0,
       check);
}

// Device copy, streaming read and streaming write at a given size; the copy
// is checked byte for byte, the read's reduction and the write's pattern too.
void bench_stream(BenchContext& ctx, size_t bytes, bool check) {
  const size_t parts = stream_read_partials(ctx.sm_count());
  DeviceBuffer a(bytes), b(bytes), sink(parts * sizeof(unsigned));
  fill_random_f32(a.as<float>(), bytes / 4, 65 + bytes, -1.f, 1.f, ctx.stream());
  const int sms = ctx.sm_count();
  if (check) {
    poison(b.p, bytes, ctx.stream());
    launch_stream_copy(b.p, a.p, bytes, sms, ctx.stream());
    HWB_LAUNCHED();
    HWB_CUDA(cudaMemsetAsync(sink.p, 0, parts * sizeof(unsigned), ctx.stream()));
    launch_stream_read(a.p, bytes, sink.as<unsigned>(), sms, ctx.stream());
    HWB_LAUNCHED();
    HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
    const auto ha = download<uint32_t>(a.p, bytes / 4);
    if (download<uint32_t>(b.p, bytes / 4) != ha) throw BenchError("memcpy: destination differs from source");
    uint32_t acc = 0;  // the kernel's reduction, mod 2^32
    for (size_t i = 0; i < ha.size(); i += 4) acc += ha[i] ^ ha[i + 1] ^ ha[i + 2] ^ ha[i + 3];
    uint32_t got = 0;
    for (const uint32_t part : download<uint32_t>(sink.p, parts)) got += part;
    if (got != acc) throw BenchError("read: reduction differs from the CPU sum");
    poison(b.p, bytes, ctx.stream());
    launch_stream_write(b.p, bytes, sms, ctx.stream());
    HWB_LAUNCHED();
    const auto hb = download<uint32_t>(b.p, bytes / 4);
    for (size_t i = 0; i < hb.size(); i += 4)
      if (hb[i + 1] != hb[i] + 1 || hb[i + 3] != hb[i] + 3 || (hb[i] ^ 0x3c003c00u) >= 65536u * 16u)
        throw BenchError("write: unexpected pattern at vector " + std::to_string(i / 4));
  }
  const std::string sz = "bytes" + std::to_string(bytes);
  Json params;
  params.add("bytes", bytes);
  {
    const Timing t = ctx.time([&] { launch_stream_copy(b.p, a.p, bytes, sms, ctx.stream()); }, ctx.reps(), true);
    emit(ctx, "memcpy/" + sz, "memcpy", params, t, 2.0 * bytes, check);
  }
  {
    const Timing t =
        ctx.time([&] { launch_stream_read(a.p, bytes, sink.as<unsigned>(), sms, ctx.stream()); }, ctx.reps(), true);
    emit(ctx, "read/" + sz, "read", params, t, double(bytes), check);
  }
  {
    const Timing t = ctx.time([&] { launch_stream_write(b.p, bytes, sms, ctx.stream()); }, ctx.reps(), true);
    emit(ctx, "write/" + sz, "write", params, t, double(bytes), check);
  }
}

}  // namespace

void run_elementwise_validation(BenchContext& ctx) {
  const std::vector<int> tokens =
      ctx.quick() ? std::vector<int>{512, 4096} : std::vector<int>{128, 512, 1024, 2048, 4096, 8192, 16384};
  // DeepSeek-V3: hidden 7168, expert intermediate 2048 (config.json); the
  // 128- and 512-token sizes fit in L2 (they are still timed cold).
  for (int k : {7168, 2048}) {
    for (int m : tokens) bench_transpose(ctx, m, k, m == 512);
  }
  for (int m : tokens) bench_swiglu(ctx, m, 2048, m == 512);
  // RMSNorm widths: hidden 7168, q_lora_rank 1536, kv_lora_rank 512.
  for (int n : {7168, 1536, 512}) {
    for (int m : tokens) bench_rmsnorm(ctx, m, n, m == 512);
  }
  std::vector<size_t> sizes = {size_t(2) << 20,   size_t(8) << 20,   size_t(32) << 20,
                               size_t(128) << 20, size_t(512) << 20, size_t(2) << 30};
  if (ctx.quick()) sizes = {size_t(8) << 20, size_t(256) << 20};
  for (size_t b : sizes) bench_stream(ctx, b, b == sizes.front());
  ctx.note("elementwise kernels: CPU reference checks passed");
}

}  // namespace hwbench
