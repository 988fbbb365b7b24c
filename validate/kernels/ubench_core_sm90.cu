// Calibration microbenchmarks of the SM core and the front end: FP32 FFMA
// throughput (ubench_ffma), kernel launch overhead (ubench_launch) and the
// GPC structure seen through thread-block clusters (ubench_gpc).
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <vector>

#include "bench_context.hpp"

namespace hwbench {
namespace {

// ---------------------------------------------------------------- FFMA
constexpr int kChains = 8;  // independent FMA chains per thread hide the 4-cycle FMA latency
__global__ void __launch_bounds__(256) ffma_kernel(int iters, float b, float c, float* sink) {
  float acc[kChains];
#pragma unroll
  for (int j = 0; j < kChains; ++j) acc[j] = threadIdx.x * 1e-3f + j;
  for (int i = 0; i < iters; ++i) {
#pragma unroll
    for (int j = 0; j < kChains; ++j) acc[j] = fmaf(acc[j], b, c);
  }
  float s = 0.f;
#pragma unroll
  for (int j = 0; j < kChains; ++j) s += acc[j];
  if (s == 1234.5f) sink[0] = s;
}

// ex2 on the SFU with one FMUL feeding each (the exponent of a softmax):
// the values stay in (0, 1], never denormal.
__global__ void __launch_bounds__(256) sfu_kernel(int iters, float* sink) {
  float acc[kChains];
#pragma unroll
  for (int j = 0; j < kChains; ++j) acc[j] = 0.5f + threadIdx.x * 1e-4f + j * 1e-3f;
  for (int i = 0; i < iters; ++i) {
#pragma unroll
    for (int j = 0; j < kChains; ++j) {
      float y;
      asm volatile("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(acc[j] * -0.75f));
      acc[j] = y;
    }
  }
  float s = 0.f;
#pragma unroll
  for (int j = 0; j < kChains; ++j) s += acc[j];
  if (s == 1234.5f) sink[0] = s;
}

void ffma(BenchContext& ctx) {
  float* sink = nullptr;
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  const int iters = ctx.quick() ? 4096 : 32768;
  const unsigned grid = static_cast<unsigned>(ctx.sm_count() * 8);  // 8 x 256 = 2048 threads per SM
  auto fn = [&] { ffma_kernel<<<grid, 256, 0, ctx.stream()>>>(iters, 0.999f, 1e-4f, sink); };
  const Timing t = ctx.time(fn, ctx.reps(), false);
  const double flops = 2.0 * kChains * iters * 256.0 * grid;
  Json params;
  params.add("chains_per_thread", kChains).add("iters", iters).add("threads_per_cta", 256).add("ctas", grid);
  Json d;
  d.add("flops", flops).add("TFLOPs", flops / (t.median_us * 1e6));
  if (t.sm_clock_mhz > 0) d.add("flops_per_clk_per_sm", flops / (t.median_us * t.sm_clock_mhz * ctx.sm_count()));
  ctx.record(ctx.id_prefix() + "ubench_ffma/fp32", "ubench_ffma", params, &t, "hwbench", "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "%-52s %.1f TFLOP/s", "FP32 FFMA (all SMs)", flops / (t.median_us * 1e6));
  ctx.note(line);
  HWB_CUDA(cudaFree(sink));
}

// ---------------------------------------------------------------- launch
__global__ void empty_kernel() {}

__device__ __forceinline__ unsigned long long gtimer() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// Records the global timer at entry and exit of a one-CTA kernel.
__global__ void stamp_kernel(unsigned long long* slot) {
  const unsigned long long t0 = gtimer();
  if (threadIdx.x == 0) {
    slot[0] = t0;
    slot[1] = gtimer();
  }
}

void launch(BenchContext& ctx) {
  const int n = ctx.quick() ? 200 : 2000;
  {
    auto fn = [&] {
      for (int i = 0; i < n; ++i) empty_kernel<<<1, 32, 0, ctx.stream()>>>();
    };
    const Timing t = ctx.time(fn, ctx.reps(), false);
    Json params;
    params.add("mode", "back_to_back").add("kernels", n).add("grid", 1).add("block", 32);
    Json d;
    d.add("us_per_kernel", t.median_us / n);
    ctx.record(ctx.id_prefix() + "ubench_launch/back_to_back", "ubench_launch", params, &t, "hwbench", "calibration",
               d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.2f us", "launch, back-to-back empty kernels (per kernel)",
                  t.median_us / n);
    ctx.note(line);
  }
  {
    const int pairs = ctx.quick() ? 50 : 500;
    unsigned long long* stamps = nullptr;
    HWB_CUDA(cudaMalloc(&stamps, size_t(pairs) * 4 * sizeof *stamps));
    auto fn = [&] {
      for (int i = 0; i < pairs; ++i) {
        stamp_kernel<<<1, 32, 0, ctx.stream()>>>(stamps + 4 * i);
        stamp_kernel<<<1, 32, 0, ctx.stream()>>>(stamps + 4 * i + 2);
      }
    };
    const Timing t = ctx.time(fn, ctx.quick() ? 3 : 21, false);
    std::vector<unsigned long long> h(size_t(pairs) * 4);
    HWB_CUDA(cudaMemcpy(h.data(), stamps, h.size() * sizeof h[0], cudaMemcpyDeviceToHost));
    std::vector<double> gaps;
    for (int i = 0; i < pairs; ++i) gaps.push_back(double(h[4 * i + 2]) - double(h[4 * i + 1]));
    std::sort(gaps.begin(), gaps.end());
    Json params;
    params.add("mode", "dependent_gap").add("pairs", pairs).add("grid", 1).add("block", 32);
    Json d;
    d.add("gap_ns_median", gaps[gaps.size() / 2])
        .add("gap_ns_min", gaps.front())
        .add("gap_ns_max", gaps.back())
        .add("us_per_kernel_batch", t.median_us / (2 * pairs));
    ctx.record(ctx.id_prefix() + "ubench_launch/dependent_gap", "ubench_launch", params, &t, "hwbench", "calibration",
               d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f ns", "gap end-of-kernel to start-of-next (globaltimer)",
                  gaps[gaps.size() / 2]);
    ctx.note(line);
    HWB_CUDA(cudaFree(stamps));
  }
}

// ---------------------------------------------------------------- GPC structure
// Every CTA records where it ran; CTAs spin so that the whole grid is
// resident at once (the grid is sized to the occupancy limit). A large
// dynamic shared-memory request pins one CTA per SM.
constexpr size_t kProbeSmem = 160 * 1024;
__global__ void cluster_probe_kernel(unsigned* out, unsigned long long spin_ns) {
  extern __shared__ unsigned char probe_smem[];
  unsigned smid, nsmid, cluster_id, rank;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(smid));
  asm volatile("mov.u32 %0, %%nsmid;" : "=r"(nsmid));
  asm volatile("mov.u32 %0, %%clusterid.x;" : "=r"(cluster_id));
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  const unsigned long long t0 = gtimer();
  while (gtimer() - t0 < spin_ns) {
  }
  if (threadIdx.x == 0) {
    probe_smem[0] = 1;
    out[4 * blockIdx.x + 0] = smid;
    out[4 * blockIdx.x + 1] = nsmid;
    out[4 * blockIdx.x + 2] = cluster_id;
    out[4 * blockIdx.x + 3] = rank;
  }
}

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int x) { return parent[x] == x ? x : parent[x] = find(parent[x]); }
  void unite(int a, int b) { parent[find(a)] = find(b); }
};

std::string int_array(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

void gpc(BenchContext& ctx) {
  HWB_CUDA(cudaFuncSetAttribute(cluster_probe_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                static_cast<int>(kProbeSmem)));
  HWB_CUDA(cudaFuncSetAttribute(cluster_probe_kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1));
  const int sms = ctx.sm_count();
  unsigned* out = nullptr;
  HWB_CUDA(cudaMalloc(&out, size_t(sms) * 4 * sizeof(unsigned)));
  int nsmid = 0;
  UnionFind uf(1024);
  std::vector<int> seen_sms;
  Timing last{};
  // Every size 1..16 (sizes above 8 need the non-portable attribute): the
  // counts constrain the GPC sizes, and sizes that divide a GPC's SM count
  // unevenly (3, 6, 9, ...) cover SMs that power-of-two clusters leave out.
  for (int c = 1; c <= 16; ++c) {
    cudaLaunchConfig_t cfg{};
    cudaLaunchAttribute attr{};
    attr.id = cudaLaunchAttributeClusterDimension;
    attr.val.clusterDim.x = static_cast<unsigned>(c);
    attr.val.clusterDim.y = 1;
    attr.val.clusterDim.z = 1;
    cfg.blockDim = dim3(128);
    cfg.gridDim = dim3(static_cast<unsigned>(c));
    cfg.dynamicSmemBytes = kProbeSmem;
    cfg.stream = ctx.stream();
    cfg.attrs = &attr;
    cfg.numAttrs = 1;
    int clusters = 0;
    const cudaError_t occ = cudaOccupancyMaxActiveClusters(&clusters, cluster_probe_kernel, &cfg);
    Json params;
    params.add("cluster_size", c).add("block", 128).add("dynamic_smem_bytes", kProbeSmem);
    if (occ != cudaSuccess || clusters == 0) {
      (void)cudaGetLastError();
      ctx.record(ctx.id_prefix() + "ubench_gpc/cluster" + std::to_string(c), "ubench_gpc", params, nullptr, "hwbench",
                 "calibration", Json(), "", std::string("cudaOccupancyMaxActiveClusters: ") + cudaGetErrorString(occ));
      continue;
    }
    cfg.gridDim = dim3(static_cast<unsigned>(clusters * c));
    HWB_CUDA(cudaMemsetAsync(out, 0xFF, size_t(sms) * 4 * sizeof(unsigned), ctx.stream()));
    auto fn = [&] {
      HWB_CUDA(cudaLaunchKernelEx(&cfg, cluster_probe_kernel, out, static_cast<unsigned long long>(50000)));
    };
    const Timing t = ctx.time(fn, 3, false, 1);
    last = t;
    std::vector<unsigned> h(size_t(clusters) * c * 4);
    HWB_CUDA(cudaMemcpy(h.data(), out, h.size() * sizeof h[0], cudaMemcpyDeviceToHost));
    std::map<unsigned, std::vector<int>> by_cluster;
    std::vector<int> sm_list;
    for (int b = 0; b < clusters * c; ++b) {
      const int smid = static_cast<int>(h[4 * b]);
      nsmid = static_cast<int>(h[4 * b + 1]);
      // clusterid is per-launch; CTAs b..b+c-1 form one cluster (x-major).
      by_cluster[static_cast<unsigned>(b / c)].push_back(smid);
      sm_list.push_back(smid);
      if (smid >= 0 && smid < 1024) seen_sms.push_back(smid);
    }
    for (const auto& [id, members] : by_cluster) {
      for (size_t i = 1; i < members.size(); ++i) uf.unite(members[0], members[i]);
    }
    std::sort(sm_list.begin(), sm_list.end());
    const int distinct = static_cast<int>(std::unique(sm_list.begin(), sm_list.end()) - sm_list.begin());
    Json d;
    d.add("max_active_clusters", clusters)
        .add("ctas_resident", clusters * c)
        .add("distinct_sms", distinct)
        .add("nsmid", nsmid);
    ctx.record(ctx.id_prefix() + "ubench_gpc/cluster" + std::to_string(c), "ubench_gpc", params, &t, "hwbench",
               "calibration", d);
    if ((c & (c - 1)) == 0) {
      char line[160];
      std::snprintf(line, sizeof line, "%-52s %d clusters (%d SMs)",
                    ("max active clusters of size " + std::to_string(c)).c_str(), clusters, clusters * c);
      ctx.note(line);
    }
  }
  // SMs that shared a cluster share a GPC: the connected components are the
  // GPCs as far as clusters reveal them (SMs never placed in a cluster of two
  // or more stay singletons, so the count is an upper bound).
  std::sort(seen_sms.begin(), seen_sms.end());
  seen_sms.erase(std::unique(seen_sms.begin(), seen_sms.end()), seen_sms.end());
  std::map<int, std::vector<int>> groups;
  for (int sm : seen_sms) groups[uf.find(sm)].push_back(sm);
  std::vector<int> sizes;
  std::string members = "[";
  for (const auto& [root, list] : groups) {
    sizes.push_back(static_cast<int>(list.size()));
    members += (members.size() > 1 ? ", " : "") + int_array(list);
  }
  members += "]";
  std::vector<int> sorted_sizes = sizes;
  std::sort(sorted_sizes.rbegin(), sorted_sizes.rend());
  Json params;
  params.add("cluster_sizes", "1-16").add("method", "union of SMs sharing a cluster");
  Json d;
  d.add("sm_count", sms)
      .add("nsmid", nsmid)
      .add("groups_inferred", static_cast<int>(groups.size()))
      .add_raw("group_sizes_sorted", int_array(sorted_sizes))
      .add_raw("groups", members);
  ctx.record(ctx.id_prefix() + "ubench_gpc/structure", "ubench_gpc", params, &last, "hwbench", "calibration", d);
  char line[200];
  std::snprintf(line, sizeof line, "%-52s %zu groups, sizes %s", "GPC groups inferred from clusters", groups.size(),
                int_array(sorted_sizes).c_str());
  ctx.note(line);
  HWB_CUDA(cudaFree(out));
}

}  // namespace

void run_core_ubench(BenchContext& ctx) {
  ffma(ctx);
  launch(ctx);
  gpc(ctx);
}

// Power of the CUDA cores and the SFU: the clock the 700 W cap leaves for an
// FP32 FFMA stream and an ex2 stream on every SM, run back to back for 2 s
// (BenchContext::time_sustained samples the clock over the second half). With
// the wgmma streams of the power parts these price each unit's share of the
// budget (models/power/dvfs.hpp).
void run_power_cores_ubench(BenchContext& ctx) {
  float* sink = nullptr;
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  const int iters = ctx.quick() ? 4096 : 65536;
  const unsigned grid = static_cast<unsigned>(ctx.sm_count() * 8);  // 2048 threads per SM
  struct Stream {
    const char* name;
    const char* unit;
    bool sfu;
  };
  for (const Stream& st :
       {Stream{"ffma_all_sms", "fp32 fma, 8 independent chains per thread", false},
        Stream{"sfu_ex2_all_sms", "ex2.approx.ftz.f32 with one FMUL each, 8 chains per thread", true}}) {
    auto fn = [&] {
      if (st.sfu) {
        sfu_kernel<<<grid, 256, 0, ctx.stream()>>>(iters, sink);
      } else {
        ffma_kernel<<<grid, 256, 0, ctx.stream()>>>(iters, 0.999f, 1e-4f, sink);
      }
    };
    const Timing t = ctx.time_sustained(fn, ctx.quick() ? 0.5 : 2.0);
    const double ops = double(kChains) * iters * 256.0 * grid;  // FMAs or ex2s
    Json params;
    params.add("op", st.name)
        .add("unit", st.unit)
        .add("ctas", grid)
        .add("threads_per_cta", 256)
        .add("iters", iters)
        .add("run_s", ctx.quick() ? 0.5 : 2.0);
    const double per_clk = t.sm_clock_mhz > 0 ? ops / (t.median_us * t.sm_clock_mhz * ctx.sm_count()) : 0.0;
    Json d;
    d.add("sm_clock_mhz_median", t.sm_clock_mhz).add("ops_per_launch", ops);
    if (per_clk > 0) d.add("ops_per_clk_per_sm", per_clk);
    ctx.record(ctx.id_prefix() + "ubench_power/cores/" + st.name, "ubench_power", params, &t, "hwbench", "calibration",
               d);
    char line[160];
    std::snprintf(line, sizeof line, "%-52s %.0f MHz, %.2f ops/clk/SM", (std::string("power ") + st.name).c_str(),
                  t.sm_clock_mhz, per_clk);
    ctx.note(line);
  }
  HWB_CUDA(cudaFree(sink));
}

}  // namespace hwbench
