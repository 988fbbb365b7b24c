// Calibration microbenchmarks of the tensor cores (ubench_wgmma): throughput
// and latency of hand-written wgmma.mma_async (m64nNk16 BF16, m64nNk32 FP8
// E4M3; N in {64, 128, 256}) with both operands in shared memory, random data,
// FP32 accumulators in registers.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench_context.hpp"
#include "hopper_ptx.hpp"
#include "wgmma_common_sm90.hpp"

namespace hwbench {
namespace {

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
  keep_accumulators<N>(acc, sink);
}

// As wgmma_throughput_kernel, but every wgmma of a batch reads a different
// K-slice of random operands (a ring of kFreshSlices slices of A and B in
// shared memory), as a GEMM's main loop does. The tensor cores' power depends
// on how much their inputs toggle: the same tile over and over (the kernel
// above) draws less than fresh data (the power records compare the two).
template <int N, bool kFp8>
__global__ void __launch_bounds__(256, 1) wgmma_fresh_kernel(const int4* src, int iters, float* sink) {
  extern __shared__ __align__(128) unsigned char ring[];
  load_fresh_ring<N>(ring, src);
  float acc[N / 2];
#pragma unroll
  for (int i = 0; i < N / 2; ++i) acc[i] = 0.f;
  for (int it = 0; it < iters; it += kBatch) fresh_batch<N, kFp8>(acc, ring);
  wgmma_wait<0>();
  keep_accumulators<N>(acc, sink);
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
  keep_accumulators<N>(acc, sink);
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

// ---- Power: the SM clock the 700 W cap leaves under tensor load, HBM
// traffic, and both at once. hwsim's DVFS model (models/power/dvfs.hpp) takes
// the tensor cores' share of the budget from the full-load wgmma clock; these
// records add what HBM traffic costs: the clock with the wgmma stream on 112
// CTAs alone, and with a copy stream beside it (the overlap of DeepSeek-V3's
// training: GEMMs on 112 SMs beside DeepEP's 20). The clock is sampled through
// NVML while both streams are busy (a host loop keeps them fed for ~2 s and
// samples the second half), not after the kernels end.
namespace {

// Which wgmma stream a power run drives.
enum class Tensor { kSameTileFp8, kFreshFp8, kFreshBf16 };

struct PowerRun {
  double sm_clock_mhz = 0;  // median of the samples
  double copy_GBps = 0;     // copy bytes (read + write) per second, 0 if no copy
  double wgmma_TFLOPs = 0;  // 0 if no wgmma
  int samples = 0;
};

// An L2-resident read stream (ld.global.cg, so L1 does not serve the
// repeats): each of `passes` passes reads the whole footprint.
__global__ void __launch_bounds__(256)
    l2_stream_kernel(const int4* __restrict__ p, size_t n, int passes, unsigned* __restrict__ out) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  unsigned acc = 0;
  for (int pass = 0; pass < passes; ++pass) {
    for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += stride) {
      const int4 v = __ldcg(p + i);
      acc += v.x ^ v.y ^ v.z ^ v.w;
    }
  }
  if (acc == 0x9e3779b9u) out[0] = acc;  // keeps the loads; practically never stores
}

// The second stream's work: an HBM copy (`l2_passes` = 0: read and write
// copy_bytes, 2 x copy_bytes moved) or an L2-resident read of copy_bytes
// repeated l2_passes times.
PowerRun power_run(BenchContext& ctx, cudaStream_t copy_stream, int wgmma_ctas, int copy_sms, const int4* src,
                   float* sink, void* buf_a, void* buf_b, size_t copy_bytes, int l2_passes = 0,
                   Tensor tensor = Tensor::kSameTileFp8, int l2_ctas_per_sm = 8) {
  constexpr int kIters = 65536;  // ~10 ms per wgmma launch on 112-132 SMs
  constexpr double kRunS = 2.0;
  // BF16 wgmma has half the K per instruction (k16) at half the FP8 rate.
  // BF16 wgmma does k16 per instruction at half the FP8 rate: half as many per launch keeps ~10 ms launches.
  const int iters = tensor == Tensor::kFreshBf16 ? kIters / 2 : kIters;
  const double flops_per_launch =
      2.0 * 64 * 256 * (tensor == Tensor::kFreshBf16 ? 16 : 32) * double(iters) * 2 * wgmma_ctas;
  std::vector<double> clocks;
  cudaEvent_t w0, w1, c0, c1;
  HWB_CUDA(cudaEventCreate(&w0));
  HWB_CUDA(cudaEventCreate(&w1));
  HWB_CUDA(cudaEventCreate(&c0));
  HWB_CUDA(cudaEventCreate(&c1));
  long long wgmma_launches = 0, copy_launches = 0;
  bool started = false;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (el > kRunS) break;
    // Keep a few launches queued on each stream; sample while they run.
    if (!started) {
      if (wgmma_ctas > 0) HWB_CUDA(cudaEventRecord(w0, ctx.stream()));
      if (copy_sms > 0) HWB_CUDA(cudaEventRecord(c0, copy_stream));
      started = true;
    }
    if (wgmma_ctas > 0 && cudaStreamQuery(ctx.stream()) == cudaSuccess) {
      for (int i = 0; i < 8; ++i) {
        if (tensor == Tensor::kSameTileFp8) {
          wgmma_throughput_kernel<256, true><<<wgmma_ctas, 256, 0, ctx.stream()>>>(src, kIters, sink);
        } else if (tensor == Tensor::kFreshFp8) {
          wgmma_fresh_kernel<256, true><<<wgmma_ctas, 256, kFreshRingBytes, ctx.stream()>>>(src, kIters, sink);
        } else {
          wgmma_fresh_kernel<256, false><<<wgmma_ctas, 256, kFreshRingBytes, ctx.stream()>>>(src, iters, sink);
        }
        HWB_LAUNCHED();
        ++wgmma_launches;
      }
    }
    if (copy_sms > 0 && cudaStreamQuery(copy_stream) == cudaSuccess) {
      for (int i = 0; i < 8; ++i) {
        if (l2_passes > 0) {
          l2_stream_kernel<<<copy_sms * l2_ctas_per_sm, 256, 0, copy_stream>>>(
              static_cast<const int4*>(buf_a), copy_bytes / 16, l2_passes, static_cast<unsigned*>(buf_b));
          HWB_LAUNCHED();
        } else {
          launch_stream_copy(buf_b, buf_a, copy_bytes, copy_sms, copy_stream);
        }
        ++copy_launches;
      }
    }
    if (el > kRunS / 2 && ctx.clocks().available()) clocks.push_back(ctx.clocks().sm_clock_mhz());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (wgmma_ctas > 0) HWB_CUDA(cudaEventRecord(w1, ctx.stream()));
  if (copy_sms > 0) HWB_CUDA(cudaEventRecord(c1, copy_stream));
  HWB_CUDA(cudaDeviceSynchronize());
  PowerRun r;
  float ms = 0;
  if (wgmma_ctas > 0) {
    HWB_CUDA(cudaEventElapsedTime(&ms, w0, w1));
    r.wgmma_TFLOPs = flops_per_launch * wgmma_launches / (ms * 1e-3) / 1e12;
  }
  if (copy_sms > 0) {
    HWB_CUDA(cudaEventElapsedTime(&ms, c0, c1));
    const double per_launch = l2_passes > 0 ? double(copy_bytes) * l2_passes : 2.0 * copy_bytes;
    r.copy_GBps = per_launch * copy_launches / (ms * 1e-3) / 1e9;
  }
  std::sort(clocks.begin(), clocks.end());
  r.samples = static_cast<int>(clocks.size());
  if (!clocks.empty()) r.sm_clock_mhz = clocks[clocks.size() / 2];
  for (cudaEvent_t e : {w0, w1, c0, c1}) HWB_CUDA(cudaEventDestroy(e));
  return r;
}

}  // namespace

namespace {
// The power runs of one part: `movement` selects the data-movement and
// operand-toggling configurations (part power_movement) instead of the
// original five (part power).
void power_part(BenchContext& ctx, bool movement) {
  constexpr size_t kSrcBytes = kFreshRingBytes;  // the fresh-operand ring; the same-tile kernel reads its start
  HWB_CUDA(cudaFuncSetAttribute(wgmma_fresh_kernel<256, true>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                static_cast<int>(kFreshRingBytes)));
  HWB_CUDA(cudaFuncSetAttribute(wgmma_fresh_kernel<256, false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                static_cast<int>(kFreshRingBytes)));
  const size_t copy_bytes = size_t(512) << 20;  // >> L2: every byte crosses HBM
  int4* src = nullptr;
  float* sink = nullptr;
  void *a = nullptr, *b = nullptr;
  HWB_CUDA(cudaMalloc(&src, kSrcBytes));
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  HWB_CUDA(cudaMalloc(&a, copy_bytes));
  HWB_CUDA(cudaMalloc(&b, copy_bytes));
  HWB_CUDA(cudaMemset(a, 1, copy_bytes));
  fill_random_e4m3(reinterpret_cast<uint8_t*>(src), kSrcBytes, 32, ctx.stream());
  cudaStream_t copy_stream;
  HWB_CUDA(cudaStreamCreateWithFlags(&copy_stream, cudaStreamNonBlocking));
  HWB_CUDA(cudaDeviceSynchronize());
  const int sms = ctx.sm_count();
  const int compute_sms = sms * 112 / 132;  // DeepSeek-V3's split on a 132-SM GPU
  const int comm_sms = sms - compute_sms;
  struct Config {
    const char* name;
    int wgmma_ctas;
    int copy_sms;
    bool l2 = false;  // the second stream reads an L2-resident footprint instead of copying through HBM
    Tensor tensor = Tensor::kSameTileFp8;
    int l2_ctas_per_sm = 8;
  };
  // The L2 configurations price on-chip data movement the way the copies
  // price HBM traffic: a 16 MiB footprint read over and over from L2. The
  // fresh-operand streams price the tensor cores' input toggling. The last
  // pair reads L2 from every SM (4 CTAs of 256 threads beside each wgmma CTA)
  // with and without the tensor load that throttles the clock: whether the
  // L2's bandwidth follows the SM clock.
  const std::vector<Config> base = {{"wgmma_all_sms", sms, 0},
                                    {"wgmma_112_sms", compute_sms, 0},
                                    {"wgmma_112_sms_with_copy_20_sms", compute_sms, comm_sms},
                                    {"copy_20_sms", 0, comm_sms},
                                    {"copy_all_sms", 0, sms}};
  const std::vector<Config> more = {
      {"wgmma_112_sms", compute_sms, 0},
      {"wgmma_112_sms_with_l2read_20_sms", compute_sms, comm_sms, true},
      {"l2read_20_sms", 0, comm_sms, true},
      {"wgmma_fresh_all_sms", sms, 0, false, Tensor::kFreshFp8},
      {"wgmma_fresh_112_sms", compute_sms, 0, false, Tensor::kFreshFp8},
      {"wgmma_fresh_bf16_all_sms", sms, 0, false, Tensor::kFreshBf16},
      {"l2read_all_sms_4_ctas", 0, sms, true, Tensor::kSameTileFp8, 4},
      {"wgmma_fresh_all_sms_with_l2read_all_sms_4_ctas", sms, sms, true, Tensor::kFreshFp8, 4}};
  const std::vector<Config>& configs = movement ? more : base;
  const std::string prefix = movement ? "ubench_power/movement/" : "ubench_power/";
  constexpr size_t kL2Footprint = size_t(16) << 20;
  constexpr int kL2Passes = 256;  // ~4 GB per launch: the host loop keeps the stream fed
  for (const Config& c : configs) {
    const PowerRun r =
        c.l2 ? power_run(ctx, copy_stream, c.wgmma_ctas, c.copy_sms, src, sink, a, b, kL2Footprint, kL2Passes, c.tensor,
                         c.l2_ctas_per_sm)
             : power_run(ctx, copy_stream, c.wgmma_ctas, c.copy_sms, src, sink, a, b, copy_bytes, 0, c.tensor);
    Json params;
    params.add("op", c.name)
        .add("wgmma", std::string(c.tensor == Tensor::kFreshBf16 ? "bf16 m64n256k16" : "fp8_e4m3 m64n256k32") +
                          ", 2 warpgroups per CTA, one CTA per SM" +
                          (c.tensor == Tensor::kSameTileFp8 ? ", the same operand tile every wgmma"
                                                            : ", a ring of 8 random K-slices (fresh operands)"))
        .add("wgmma_ctas", c.wgmma_ctas)
        .add("copy_grid_sms", c.copy_sms)
        .add("copy_bytes", static_cast<uint64_t>(c.l2 ? kL2Footprint : copy_bytes))
        .add("second_stream", c.l2 ? "l2_read ld.global.cg, 16 MiB footprint x 256 passes per launch, " +
                                         std::to_string(c.l2_ctas_per_sm) + " CTAs of 256 threads per SM"
                                   : std::string("hbm_copy"))
        .add("run_s", 2.0);
    Json d;
    d.add("sm_clock_mhz_median", r.sm_clock_mhz)
        .add("clock_samples", r.samples)
        .add("copy_GBps", r.copy_GBps)
        .add("wgmma_TFLOPs", r.wgmma_TFLOPs);
    Timing t;  // the record's clock is the one sampled during the run
    t.reps = 1;
    t.median_us = t.min_us = t.max_us = 2.0e6;
    t.sm_clock_mhz = r.sm_clock_mhz;
    ctx.record(ctx.id_prefix() + prefix + c.name, "ubench_power", params, &t, "hwbench", "calibration", d);
    char line[200];
    std::snprintf(line, sizeof line, "%-52s %.0f MHz, copy %.0f GB/s, wgmma %.0f TFLOP/s",
                  (std::string("power ") + c.name).c_str(), r.sm_clock_mhz, r.copy_GBps, r.wgmma_TFLOPs);
    ctx.note(line);
  }
  HWB_CUDA(cudaStreamDestroy(copy_stream));
  HWB_CUDA(cudaFree(src));
  HWB_CUDA(cudaFree(sink));
  HWB_CUDA(cudaFree(a));
  HWB_CUDA(cudaFree(b));
}

}  // namespace

void run_power_ubench(BenchContext& ctx) { power_part(ctx, false); }
void run_power_movement_ubench(BenchContext& ctx) { power_part(ctx, true); }

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
