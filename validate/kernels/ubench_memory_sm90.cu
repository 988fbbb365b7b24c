// Calibration microbenchmarks of the memory hierarchy: HBM read/write/copy
// bandwidth (ubench_hbm), L2 read bandwidth (ubench_l2), load latency by
// level through a pointer chase (ubench_latency) and shared-memory bandwidth
// (ubench_smem). Designs are described in validate/kernels/README.md.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "bench_context.hpp"

namespace hwbench {
namespace {

// ---------------------------------------------------------------- L2 read
// Each thread re-reads the same vectors every pass, so loads bypass L1
// (ld.global.cg) to measure the L2 rather than the L1.
__global__ void __launch_bounds__(256)
    l2_read_kernel(const int4* __restrict__ p, size_t n, int passes, unsigned* __restrict__ partials) {
  const size_t stride = size_t(gridDim.x) * blockDim.x;
  unsigned acc = 0;
  for (int pass = 0; pass < passes; ++pass) {
    size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x;
    for (; i + 3 * stride < n; i += 4 * stride) {
      const int4 a = __ldcg(p + i);
      const int4 b = __ldcg(p + i + stride);
      const int4 c = __ldcg(p + i + 2 * stride);
      const int4 d = __ldcg(p + i + 3 * stride);
      acc += (a.x ^ a.y ^ a.z ^ a.w) + (b.x ^ b.y ^ b.z ^ b.w) + (c.x ^ c.y ^ c.z ^ c.w) + (d.x ^ d.y ^ d.z ^ d.w);
    }
    for (; i < n; i += stride) {
      const int4 a = __ldcg(p + i);
      acc += a.x ^ a.y ^ a.z ^ a.w;
    }
  }
  // One partial per warp: stored, never atomically combined on one address.
  acc = __reduce_add_sync(0xffffffffu, acc);
  if ((threadIdx.x & 31) == 0) partials[(blockIdx.x * blockDim.x + threadIdx.x) >> 5] = acc;
}

// ---------------------------------------------------------------- latency
// One thread follows a random cyclic chain of 8-byte pointers: every load's
// address depends on the previous load, so the time per step is the load
// latency. kL1 selects ld.global.ca (cached in L1) or ld.global.cg (L2 only).
template <bool kL1>
__device__ __forceinline__ uint64_t chase_load(uint64_t addr) {
  uint64_t v;
  if constexpr (kL1) {
    asm volatile("ld.global.ca.u64 %0, [%1];" : "=l"(v) : "l"(addr) : "memory");
  } else {
    asm volatile("ld.global.cg.u64 %0, [%1];" : "=l"(v) : "l"(addr) : "memory");
  }
  return v;
}

__device__ __forceinline__ uint64_t global_timer_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

template <bool kL1>
__global__ void chase_kernel(uint64_t start, int warm_steps, int steps, uint64_t* out) {
  uint64_t p = start;
  for (int i = 0; i < warm_steps; ++i) p = chase_load<kL1>(p);
  const uint64_t g0 = global_timer_ns();
  const long long c0 = clock64();
  for (int i = 0; i < steps; ++i) p = chase_load<kL1>(p);
  const long long c1 = clock64();
  const uint64_t g1 = global_timer_ns();
  out[0] = p;  // keeps the chain live
  out[1] = static_cast<uint64_t>(c1 - c0);
  out[2] = g1 - g0;
}

// ---------------------------------------------------------------- shared memory
constexpr int kSmemThreads = 256;
constexpr int kSmemVectors = 2048;  // 32 KiB of int4 per CTA
__global__ void __launch_bounds__(kSmemThreads) smem_read_kernel(int iters, unsigned* sink) {
  __shared__ int4 buf[kSmemVectors];
  for (int i = threadIdx.x; i < kSmemVectors; i += blockDim.x) {
    buf[i] = make_int4(i, i * 3 + 1, i * 7 + 2, i ^ 0x5a5a);
  }
  __syncthreads();
  unsigned acc = 0;
  // A warp reads 32 consecutive int4 (512 bytes): four conflict-free wavefronts.
  int idx = threadIdx.x;
#pragma unroll 8
  for (int i = 0; i < iters; ++i) {
    const int4 v = buf[idx];
    acc ^= static_cast<unsigned>(v.x + v.y) ^ static_cast<unsigned>(v.z + v.w);
    idx = (idx + kSmemThreads) & (kSmemVectors - 1);
  }
  if (acc == 0x9e3779b9u) sink[0] = acc;  // practically never true; keeps the loads
}

// ---------------------------------------------------------------- record emitters
Json gbps(double bytes, const Timing& t) {
  Json d;
  d.add("bytes_moved", bytes).add("GBps", bytes / (t.median_us * 1e3)).add("GBps_best", bytes / (t.min_us * 1e3));
  return d;
}

void hbm(BenchContext& ctx) {
  const size_t bytes = ctx.quick() ? (size_t(1) << 30) : (size_t(2) << 30);
  void* a = nullptr;
  void* b = nullptr;
  unsigned* sink = nullptr;
  HWB_CUDA(cudaMalloc(&a, bytes));
  HWB_CUDA(cudaMalloc(&b, bytes));
  HWB_CUDA(cudaMalloc(&sink, stream_read_partials(ctx.sm_count()) * sizeof *sink));
  fill_random_f32(static_cast<float*>(a), bytes / 4, 11, -1.f, 1.f, ctx.stream());
  fill_random_f32(static_cast<float*>(b), bytes / 4, 12, -1.f, 1.f, ctx.stream());
  const int sms = ctx.sm_count();
  cudaStream_t s = ctx.stream();
  struct Op {
    const char* name;
    double moved;
    std::function<void()> fn;
  };
  const Op ops[] = {
      {"read", double(bytes), [&] { launch_stream_read(a, bytes, sink, sms, s); }},
      {"write", double(bytes), [&] { launch_stream_write(b, bytes, sms, s); }},
      {"copy", 2.0 * double(bytes), [&] { launch_stream_copy(b, a, bytes, sms, s); }},
  };
  for (const Op& op : ops) {
    const Timing t = ctx.time(op.fn, ctx.reps(), true);
    Json params;
    params.add("op", op.name)
        .add("bytes", bytes)
        .add("threads_per_cta", 256)
        .add("ctas_per_sm", 8)
        .add("bytes_per_access", 16);
    Json d = gbps(op.moved, t);
    ctx.record(ctx.id_prefix() + "ubench_hbm/" + op.name + "/bytes" + std::to_string(bytes), "ubench_hbm", params, &t,
               "hwbench", "calibration", d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f GB/s",
                  (std::string("HBM ") + op.name + " (bytes moved / time)").c_str(), op.moved / (t.median_us * 1e3));
    ctx.note(line);
  }
  HWB_CUDA(cudaFree(a));
  HWB_CUDA(cudaFree(b));
  HWB_CUDA(cudaFree(sink));
}

void l2(BenchContext& ctx) {
  const size_t l2b = ctx.l2_bytes();
  std::vector<size_t> sizes = {size_t(4) << 20, l2b / 4, l2b / 2};
  if (ctx.quick()) sizes = {l2b / 4};
  void* a = nullptr;
  unsigned* sink = nullptr;
  const unsigned grid = static_cast<unsigned>(ctx.sm_count() * 8);
  HWB_CUDA(cudaMalloc(&a, sizes.back()));
  HWB_CUDA(cudaMalloc(&sink, size_t(grid) * 256 / 32 * sizeof *sink));
  fill_random_f32(static_cast<float*>(a), sizes.back() / 4, 13, -1.f, 1.f, ctx.stream());
  for (size_t raw : sizes) {
    const size_t bytes = raw / 4096 * 4096;
    // About 1 GiB read per launch so the launch's own overhead is negligible.
    const int passes = static_cast<int>(std::max<size_t>(8, (size_t(1) << 30) / bytes));
    const size_t n = bytes / 16;
    auto fn = [&] { l2_read_kernel<<<grid, 256, 0, ctx.stream()>>>(static_cast<const int4*>(a), n, passes, sink); };
    const Timing t = ctx.time(fn, ctx.reps(), false, 3);  // warm-up loads the footprint into L2
    Json params;
    params.add("op", "read").add("footprint_bytes", bytes).add("passes", passes).add("load", "ld.global.cg");
    ctx.record(ctx.id_prefix() + "ubench_l2/read/footprint" + std::to_string(bytes), "ubench_l2", params, &t, "hwbench",
               "calibration", gbps(double(bytes) * passes, t));
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f GB/s",
                  ("L2 read, footprint " + std::to_string(bytes >> 20) + " MiB").c_str(),
                  double(bytes) * passes / (t.median_us * 1e3));
    ctx.note(line);
  }
  HWB_CUDA(cudaFree(a));
  HWB_CUDA(cudaFree(sink));
}

void latency(BenchContext& ctx) {
  struct Level {
    const char* name;
    size_t footprint;
    size_t stride;
    bool l1;
    bool warm;  // false: cold chain after an L2 flush, every node visited once
    int steps;
  };
  const size_t l2b = ctx.l2_bytes();
  const Level levels[] = {
      {"l1", size_t(16) << 10, 128, true, true, 8192},
      {"l2", size_t(8) << 20, 128, false, true, 8192},
      {"hbm", 4 * l2b / (size_t(2) << 20) * (size_t(2) << 20), 4096, false, false, 8192},
  };
  for (const Level& lv : levels) {
    const size_t nodes = lv.footprint / lv.stride;
    uint64_t* buf = nullptr;
    uint64_t* out = nullptr;
    HWB_CUDA(cudaMalloc(&buf, lv.footprint));
    HWB_CUDA(cudaMalloc(&out, 3 * sizeof(uint64_t)));
    // Sattolo's shuffle: one random cycle through all nodes (seeded).
    std::vector<uint32_t> perm(nodes);
    std::iota(perm.begin(), perm.end(), 0u);
    std::mt19937_64 rng(0x1a7e0c + nodes);
    for (size_t i = nodes - 1; i > 0; --i) {
      std::uniform_int_distribution<size_t> pick(0, i - 1);
      std::swap(perm[i], perm[pick(rng)]);
    }
    std::vector<uint64_t> host(lv.footprint / 8, 0);
    const uint64_t base = reinterpret_cast<uint64_t>(buf);
    const size_t words = lv.stride / 8;
    for (size_t i = 0; i < nodes; ++i) host[size_t(i) * words] = base + uint64_t(perm[i]) * lv.stride;
    HWB_CUDA(cudaMemcpy(buf, host.data(), lv.footprint, cudaMemcpyHostToDevice));
    const int steps = lv.warm ? lv.steps : static_cast<int>(std::min<size_t>(lv.steps, nodes - 1));
    const int warm = lv.warm ? static_cast<int>(std::min<size_t>(nodes * 2, 200000)) : 0;
    auto fn = [&] {
      if (lv.l1) {
        chase_kernel<true><<<1, 1, 0, ctx.stream()>>>(base, warm, steps, out);
      } else {
        chase_kernel<false><<<1, 1, 0, ctx.stream()>>>(base, warm, steps, out);
      }
    };
    const int reps = ctx.quick() ? 3 : 21;
    const Timing t = ctx.time(fn, reps, !lv.warm, 1);
    uint64_t res[3];
    HWB_CUDA(cudaMemcpy(res, out, sizeof res, cudaMemcpyDeviceToHost));
    const double cycles = double(res[1]) / steps;
    const double ns = double(res[2]) / steps;
    Json params;
    params.add("level", lv.name)
        .add("footprint_bytes", lv.footprint)
        .add("stride_bytes", lv.stride)
        .add("steps", steps)
        .add("warm_steps", warm)
        .add("load", lv.l1 ? "ld.global.ca" : "ld.global.cg");
    Json d;
    d.add("cycles_per_load", cycles).add("ns_per_load_globaltimer", ns);
    ctx.record(ctx.id_prefix() + "ubench_latency/" + lv.name, "ubench_latency", params, &t, "hwbench", "calibration",
               d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.1f cycles (%.1f ns)", (std::string("load latency ") + lv.name).c_str(),
                  cycles, ns);
    ctx.note(line);
    HWB_CUDA(cudaFree(buf));
    HWB_CUDA(cudaFree(out));
  }
}

void smem(BenchContext& ctx) {
  unsigned* sink = nullptr;
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  const int iters = ctx.quick() ? 1024 : 8192;
  const int ctas_per_sm = 8;  // 8 x 256 threads = 2048 (full occupancy); 8 x 32 KiB smem fits in 228 KiB
  const unsigned grid = static_cast<unsigned>(ctx.sm_count() * ctas_per_sm);
  auto fn = [&] { smem_read_kernel<<<grid, kSmemThreads, 0, ctx.stream()>>>(iters, sink); };
  const Timing t = ctx.time(fn, ctx.reps(), false);
  const double bytes = double(grid) * kSmemThreads * iters * 16.0;
  Json params;
  params.add("op", "read")
      .add("bytes_per_access", 16)
      .add("iters_per_thread", iters)
      .add("threads_per_cta", kSmemThreads)
      .add("ctas", grid);
  Json d = gbps(bytes, t);
  const double clk = t.sm_clock_mhz > 0 ? t.sm_clock_mhz * 1e6 : 0.0;
  d.add("bytes_per_clk_per_sm", clk > 0 ? bytes / (t.median_us * 1e-6 * clk * ctx.sm_count()) : 0.0);
  ctx.record(ctx.id_prefix() + "ubench_smem/read_v4", "ubench_smem", params, &t, "hwbench", "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "%-52s %.0f GB/s", "shared memory read (all SMs)", bytes / (t.median_us * 1e3));
  ctx.note(line);
  HWB_CUDA(cudaFree(sink));
}

}  // namespace

void run_memory_ubench(BenchContext& ctx) {
  hbm(ctx);
  l2(ctx);
  latency(ctx);
  smem(ctx);
}

// L2 and HBM read bandwidth on a subset of the SMs (green contexts of 8 SMs up
// to all): whether a bandwidth is a property of the memory (flat in the SM
// count once saturated) or of each SM's path to it (proportional to the SM
// count) decides how a kernel slows when communication holds SMs.
void run_sm_scaling_ubench(BenchContext& ctx) {
  const size_t l2_bytes = size_t(13107200);  // a quarter of the H100's L2, as the full-GPU L2 record
  const size_t hbm_bytes = size_t(1) << 30;
  void* a = nullptr;
  unsigned* sink = nullptr;
  const unsigned max_grid = static_cast<unsigned>(ctx.sm_count() * 8);
  HWB_CUDA(cudaMalloc(&a, hbm_bytes));
  HWB_CUDA(cudaMalloc(&sink, size_t(max_grid) * 256 / 32 * sizeof *sink));
  fill_random_f32(static_cast<float*>(a), hbm_bytes / 4, 17, -1.f, 1.f, ctx.stream());
  HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
  std::vector<int> counts = {8, 16, 32, 48, 66, 96, 112, ctx.sm_count()};
  if (ctx.quick()) counts = {16, 112};
  for (int want : counts) {
    std::unique_ptr<SmPartition> part;
    cudaStream_t s = ctx.stream();
    int sms = ctx.sm_count();
    if (want < ctx.sm_count()) {
      try {
        part = std::make_unique<SmPartition>(want);
      } catch (const BenchError& e) {
        ctx.note(std::string("sm scaling: ") + e.what());
        break;
      }
      s = part->stream();
      sms = part->sms;
    }
    const unsigned grid = static_cast<unsigned>(sms * 8);
    {
      const int passes = static_cast<int>((size_t(1) << 30) / l2_bytes);
      auto fn = [&] { l2_read_kernel<<<grid, 256, 0, s>>>(static_cast<const int4*>(a), l2_bytes / 16, passes, sink); };
      const Timing t = ctx.time(fn, ctx.reps(), false, 3, s);
      Json params;
      params.add("op", "read")
          .add("footprint_bytes", l2_bytes)
          .add("passes", passes)
          .add("load", "ld.global.cg")
          .add("sms", sms)
          .add("ctas_per_sm", 8);
      ctx.record(ctx.id_prefix() + "ubench_l2/read_sms" + std::to_string(sms) + "/footprint" + std::to_string(l2_bytes),
                 "ubench_l2", params, &t, "hwbench", "calibration", gbps(double(l2_bytes) * passes, t));
      char line[160];
      std::snprintf(line, sizeof line, "%-52s %.0f GB/s (%.0f MHz)",
                    ("L2 read on " + std::to_string(sms) + " SMs").c_str(),
                    double(l2_bytes) * passes / (t.median_us * 1e3), t.sm_clock_mhz);
      ctx.note(line);
    }
    {
      auto fn = [&] { launch_stream_read(a, hbm_bytes, sink, sms, s); };
      const Timing t = ctx.time(fn, ctx.reps(), true, 2, s);
      Json params;
      params.add("op", "read").add("bytes", hbm_bytes).add("sms", sms);
      ctx.record(ctx.id_prefix() + "ubench_hbm/read_sms" + std::to_string(sms) + "/bytes" + std::to_string(hbm_bytes),
                 "ubench_hbm", params, &t, "hwbench", "calibration", gbps(double(hbm_bytes), t));
      char line[160];
      std::snprintf(line, sizeof line, "%-52s %.0f GB/s (%.0f MHz)",
                    ("HBM read on " + std::to_string(sms) + " SMs").c_str(), double(hbm_bytes) / (t.median_us * 1e3),
                    t.sm_clock_mhz);
      ctx.note(line);
    }
  }
  HWB_CUDA(cudaFree(a));
  HWB_CUDA(cudaFree(sink));
}

}  // namespace hwbench
