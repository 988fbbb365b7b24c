// Calibration microbenchmarks of the tensor cores (ubench_wgmma): throughput
// and latency of hand-written wgmma.mma_async (m64nNk16 BF16, m64nNk32 FP8
// E4M3; N in {64, 128, 256}) with both operands in shared memory, random data,
// FP32 accumulators in registers.
#include <cstdio>

#include "bench_context.hpp"
#include "hopper_ptx.hpp"
#include "wgmma_ops_sm90.hpp"

namespace hwbench {
namespace {

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

// Loads random operands from global memory into shared memory, then makes
// the generic-proxy stores visible to the tensor cores (async proxy).
template <int N>
__device__ void stage_operands(unsigned char* a, unsigned char* b, const int4* src) {
  constexpr int kBytes = (64 + N) * kRowBytes;
  int4* dst_a = reinterpret_cast<int4*>(a);
  int4* dst_b = reinterpret_cast<int4*>(b);
  for (int i = threadIdx.x; i < kBytes / 16; i += blockDim.x) {
    if (i < 64 * kRowBytes / 16)
      dst_a[i] = src[i];
    else
      dst_b[i - 64 * kRowBytes / 16] = src[i];
  }
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
  __syncthreads();
}

template <int N, bool kFp8>
__global__ void __launch_bounds__(256, 1) wgmma_throughput_kernel(const int4* src, int iters, float* sink) {
  __shared__ __align__(128) unsigned char a[64 * kRowBytes];
  __shared__ __align__(128) unsigned char b[N * kRowBytes];
  stage_operands<N>(a, b, src);
  float acc[N / 2];
#pragma unroll
  for (int i = 0; i < N / 2; ++i) acc[i] = 0.f;
  const uint64_t da = make_desc(a);
  const uint64_t db = make_desc(b);
  for (int it = 0; it < iters; it += kBatch) {
    wgmma_fence();  // orders the accumulator registers before each batch (as CUTLASS's warpgroup_arrive)
#pragma unroll
    for (int j = 0; j < kBatch; ++j) mma<N, kFp8>(acc, da, db);
    wgmma_commit();
    wgmma_wait<1>();  // one batch stays in flight while the next is issued
  }
  wgmma_wait<0>();
  float s = 0.f;
#pragma unroll
  for (int i = 0; i < N / 2; ++i) s += acc[i];
  if (s == 1234.5f) sink[0] = s;
}

// One warpgroup, one wgmma at a time: issue, commit, wait; clock64 per op.
template <int N, bool kFp8>
__global__ void __launch_bounds__(128, 1)
    wgmma_latency_kernel(const int4* src, int iters, float* sink, unsigned long long* cycles) {
  __shared__ __align__(128) unsigned char a[64 * kRowBytes];
  __shared__ __align__(128) unsigned char b[N * kRowBytes];
  stage_operands<N>(a, b, src);
  float acc[N / 2];
#pragma unroll
  for (int i = 0; i < N / 2; ++i) acc[i] = 0.f;
  const uint64_t da = make_desc(a);
  const uint64_t db = make_desc(b);
  long long total = 0;
  for (int it = 0; it < iters; ++it) {
    const long long c0 = clock64();
    wgmma_fence();
    mma<N, kFp8>(acc, da, db);
    wgmma_commit();
    wgmma_wait<0>();
    total += clock64() - c0;
  }
  float s = 0.f;
#pragma unroll
  for (int i = 0; i < N / 2; ++i) s += acc[i];
  if (s == 1234.5f) sink[0] = s;
  if (threadIdx.x == 0) cycles[0] = static_cast<unsigned long long>(total);
}

template <int N, bool kFp8>
void bench_shape(BenchContext& ctx, const int4* src, float* sink, unsigned long long* cycles) {
  const char* dtype = kFp8 ? "fp8_e4m3" : "bf16";
  const int k = kFp8 ? 32 : 16;
  const double flops_per_op = 2.0 * 64 * N * k;
  const std::string shape = "m64n" + std::to_string(N) + "k" + std::to_string(k);
  {
    const int iters = ctx.quick() ? 1024 : 8192;
    const int warpgroups = 2;
    const unsigned grid = static_cast<unsigned>(ctx.sm_count());
    auto fn = [&] { wgmma_throughput_kernel<N, kFp8><<<grid, 128 * warpgroups, 0, ctx.stream()>>>(src, iters, sink); };
    const Timing t = ctx.time(fn, ctx.reps(), false);
    const double flops = flops_per_op * iters * warpgroups * grid;
    Json params;
    params.add("op", "throughput")
        .add("dtype", dtype)
        .add("shape", shape)
        .add("m", 64)
        .add("n", N)
        .add("k", k)
        .add("warpgroups_per_cta", warpgroups)
        .add("ctas", grid)
        .add("wgmma_per_warpgroup", iters)
        .add("operands", "smem_smem");
    Json d;
    d.add("flops", flops).add("TFLOPs", flops / (t.median_us * 1e6));
    if (t.sm_clock_mhz > 0) {
      d.add("flops_per_clk_per_sm", flops / (t.median_us * t.sm_clock_mhz * ctx.sm_count()));
    }
    ctx.record(ctx.id_prefix() + "ubench_wgmma/throughput/" + dtype + "_" + shape, "ubench_wgmma", params, &t,
               "hwbench", "calibration", d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f TFLOP/s",
                  ("wgmma " + std::string(dtype) + " " + shape + " throughput").c_str(), flops / (t.median_us * 1e6));
    ctx.note(line);
  }
  {
    const int iters = ctx.quick() ? 256 : 2048;
    auto fn = [&] { wgmma_latency_kernel<N, kFp8><<<1, 128, 0, ctx.stream()>>>(src, iters, sink, cycles); };
    const Timing t = ctx.time(fn, ctx.quick() ? 3 : 21, false);
    unsigned long long c = 0;
    HWB_CUDA(cudaMemcpy(&c, cycles, sizeof c, cudaMemcpyDeviceToHost));
    const double per_op = double(c) / iters;
    Json params;
    params.add("op", "latency")
        .add("dtype", dtype)
        .add("shape", shape)
        .add("m", 64)
        .add("n", N)
        .add("k", k)
        .add("wgmma_issued", iters)
        .add("operands", "smem_smem");
    Json d;
    d.add("cycles_per_wgmma", per_op);
    ctx.record(ctx.id_prefix() + "ubench_wgmma/latency/" + dtype + "_" + shape, "ubench_wgmma", params, &t, "hwbench",
               "calibration", d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f cycles",
                  ("wgmma " + std::string(dtype) + " " + shape + " latency").c_str(), per_op);
    ctx.note(line);
  }
}

}  // namespace

void run_wgmma_ubench(BenchContext& ctx) {
  constexpr size_t kSrcBytes = (64 + 256) * kRowBytes;
  int4* src_bf16 = nullptr;
  int4* src_fp8 = nullptr;
  float* sink = nullptr;
  unsigned long long* cycles = nullptr;
  HWB_CUDA(cudaMalloc(&src_bf16, kSrcBytes));
  HWB_CUDA(cudaMalloc(&src_fp8, kSrcBytes));
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  HWB_CUDA(cudaMalloc(&cycles, sizeof *cycles));
  fill_random_bf16(reinterpret_cast<uint16_t*>(src_bf16), kSrcBytes / 2, 31, ctx.stream());
  fill_random_e4m3(reinterpret_cast<uint8_t*>(src_fp8), kSrcBytes, 32, ctx.stream());
  bench_shape<64, false>(ctx, src_bf16, sink, cycles);
  bench_shape<128, false>(ctx, src_bf16, sink, cycles);
  bench_shape<256, false>(ctx, src_bf16, sink, cycles);
  bench_shape<64, true>(ctx, src_fp8, sink, cycles);
  bench_shape<128, true>(ctx, src_fp8, sink, cycles);
  bench_shape<256, true>(ctx, src_fp8, sink, cycles);
  HWB_CUDA(cudaFree(src_bf16));
  HWB_CUDA(cudaFree(src_fp8));
  HWB_CUDA(cudaFree(sink));
  HWB_CUDA(cudaFree(cycles));
}

}  // namespace hwbench
