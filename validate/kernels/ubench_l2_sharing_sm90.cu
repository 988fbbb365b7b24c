// Calibration microbenchmark of the L2 under sharing (ubench_l2_sharing): how
// many bytes per second TMA box loads draw from L2 when the lines they read
// are read by one cluster only, by every SM at once, or by a few clusters (a
// GEMM's operand panels), and when clusters of 2 or 4 CTAs multicast each box
// (each CTA loads a 1/cluster slice and the TMA delivers the whole box to
// every CTA of the cluster, as clustered GEMMs do). The kernel only loads: one
// warp per CTA keeps two groups of 4 box loads in flight, and a cluster
// barrier per group keeps a CTA from refilling a stage its peers still wait
// on. Reported: bytes delivered to shared memory and bytes read from L2
// (delivered / cluster size) per second. A second kernel (the ring, below)
// keeps 4, 8 or 12 boxes in flight per SM with no barrier across CTAs.
#include <algorithm>
#include <cstdio>
#include <string>

#include "bench_context.hpp"
#include "hopper_ptx.hpp"
#include "tensor_map.hpp"

namespace hwbench {
namespace {

constexpr int kRowBytes = 1024;  // one panel row: 8 boxes of 128 bytes (the 128B swizzle width)
constexpr int kBoxCols = 128;    // bytes
constexpr int kBoxRows = 128;    // a 16 KiB box, a GEMM's 128 x 128 FP8 operand tile
constexpr int kBoxBytes = kBoxCols * kBoxRows;
constexpr int kBoxesPerPanel = kRowBytes / kBoxCols;
constexpr int kStagesPerGroup = 4;
constexpr int kGroups = 2;

enum Pattern : int { kDistinct = 0, kShared = 1, kPanels16 = 2 };
const char* const kPatternNames[] = {"distinct", "shared", "panels16"};

// Boxes of 128 bytes x (128 / cluster) rows: each CTA's slice.
CUtensorMap make_map(void* base, size_t rows, int slice_rows) {
  CUtensorMap map{};
  const cuuint64_t dims[2] = {kRowBytes, rows};
  const cuuint64_t strides[1] = {kRowBytes};
  const cuuint32_t box[2] = {kBoxCols, static_cast<cuuint32_t>(slice_rows)};
  const cuuint32_t elem[2] = {1, 1};
  const CUresult r = tensor_map_encoder()(&map, CU_TENSOR_MAP_DATA_TYPE_UINT8, 2, base, dims, strides, box, elem,
                                          CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                          CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) throw BenchError("cuTensorMapEncodeTiled failed with CUresult " + std::to_string(r));
  return map;
}

// The tensor the kernels read (`rows` rows of kRowBytes, a constant fill), its
// TMA map (boxes of `slice_rows` rows) and the kernels' sink word; freed with
// the object.
struct ReadTensor {
  void* buf = nullptr;
  unsigned* sink = nullptr;
  CUtensorMap map{};
  ReadTensor(BenchContext& ctx, size_t rows, int slice_rows) {
    HWB_CUDA(cudaMalloc(&buf, rows * kRowBytes));
    HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
    HWB_CUDA(cudaMemsetAsync(buf, 0x3c, rows * kRowBytes, ctx.stream()));
    map = make_map(buf, rows, slice_rows);
  }
  ~ReadTensor() {
    cudaFree(buf);
    cudaFree(sink);
  }
  ReadTensor(const ReadTensor&) = delete;
  ReadTensor& operator=(const ReadTensor&) = delete;
};

__device__ __forceinline__ uint32_t cluster_rank() {
  uint32_t r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}

__device__ __forceinline__ void cluster_sync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n barrier.cluster.wait.acquire.aligned;" ::: "memory");
}

__device__ __forceinline__ void tma_load_2d_multicast(void* dst, const void* tmap, int x, int y, uint64_t* bar,
                                                      uint16_t mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%2, %3}], [%4], %5;" ::"r"(smem_addr(dst)),
      "l"(reinterpret_cast<uint64_t>(tmap)), "r"(x), "r"(y), "r"(smem_addr(bar)), "h"(mask)
      : "memory");
}

// The panel (128 rows of the tensor) a cluster reads at step j.
__device__ __forceinline__ int panel_of(int pattern, int cluster, int j, int panels) {
  const int round = j / kBoxesPerPanel;
  if (pattern == kDistinct) return cluster % panels;
  if (pattern == kShared) return round % panels;
  return (cluster % 16 + 16 * (round % (panels / 16))) % panels;
}

__global__ void l2_sharing_kernel(const __grid_constant__ CUtensorMap tmap, int pattern, int cluster_size, int panels,
                                  int iterations, unsigned* sink) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  unsigned char* smem =
      reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t bars[kGroups * kStagesPerGroup];
  const bool leader = threadIdx.x == 0;
  const uint32_t rank = cluster_rank();
  const int cluster = static_cast<int>(blockIdx.x) / cluster_size;
  const int slice_rows = kBoxRows / cluster_size;
  const uint16_t mask = static_cast<uint16_t>((1u << cluster_size) - 1);
  if (leader) {
    for (auto& b : bars) mbarrier_init(&b, 1);
    fence_barrier_init();
  }
  __syncwarp();
  cluster_sync();  // every CTA's barriers exist before any peer multicasts into them
  auto issue = [&](int it) {
    const int g = it % kGroups;
    for (int s = 0; s < kStagesPerGroup; ++s) {
      const int st = g * kStagesPerGroup + s;
      const int j = it * kStagesPerGroup + s;
      const int panel = panel_of(pattern, cluster, j, panels);
      mbarrier_arrive_expect_tx(&bars[st], kBoxBytes);  // the whole box lands here, from every peer
      unsigned char* dst = smem + size_t(st) * kBoxBytes + size_t(rank) * slice_rows * kBoxCols;
      const int x = (j % kBoxesPerPanel) * kBoxCols, y = panel * kBoxRows + static_cast<int>(rank) * slice_rows;
      if (cluster_size == 1)
        tma_load_2d(dst, &tmap, x, y, &bars[st]);
      else
        tma_load_2d_multicast(dst, &tmap, x, y, &bars[st], mask);
    }
  };
  unsigned acc = 0;
  for (int it = 0; it < iterations; ++it) {
    if (leader) issue(it);
    __syncwarp();
    if (it > 0) {
      const int g = (it - 1) % kGroups;
      for (int s = 0; s < kStagesPerGroup; ++s) {
        mbarrier_wait(&bars[g * kStagesPerGroup + s], ((it - 1) / kGroups) & 1);
        acc += reinterpret_cast<const unsigned*>(smem + size_t(g * kStagesPerGroup + s) * kBoxBytes)[threadIdx.x];
      }
    }
    cluster_sync();  // every peer has its group (it - 1) before anyone refills it at it + 1
  }
  const int g = (iterations - 1) % kGroups;
  for (int s = 0; s < kStagesPerGroup; ++s)
    mbarrier_wait(&bars[g * kStagesPerGroup + s], ((iterations - 1) / kGroups) & 1);
  cluster_sync();  // no CTA exits while a peer's multicast may still write into it
  if (acc == 0x9e3779b9u) sink[0] = acc;
}

void sharing(BenchContext& ctx, int pattern, int cluster_size) {
  const int panels = ((ctx.sm_count() + 15) / 16) * 16;  // one per SM for the distinct pattern, a multiple of 16
  const size_t rows = size_t(panels) * kBoxRows;
  const ReadTensor tensor(ctx, rows, kBoxRows / cluster_size);
  const CUtensorMap& map = tensor.map;
  unsigned* sink = tensor.sink;
  const size_t smem = size_t(kGroups) * kStagesPerGroup * kBoxBytes + 1024;
  HWB_CUDA(
      cudaFuncSetAttribute(l2_sharing_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  HWB_CUDA(cudaFuncSetAttribute(l2_sharing_kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 0));
  cudaLaunchConfig_t cfg{};
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = static_cast<unsigned>(cluster_size);
  attr[0].val.clusterDim.y = 1;
  attr[0].val.clusterDim.z = 1;
  cfg.blockDim = dim3(32);
  cfg.dynamicSmemBytes = smem;
  cfg.stream = ctx.stream();
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  // As many clusters as fit at once (a GPC's SMs hold whole clusters only).
  cfg.gridDim = dim3(static_cast<unsigned>(ctx.sm_count() / cluster_size * cluster_size));
  int clusters = 0;
  HWB_CUDA(cudaOccupancyMaxActiveClusters(&clusters, l2_sharing_kernel, &cfg));
  cfg.gridDim = dim3(static_cast<unsigned>(clusters * cluster_size));
  const int iterations = ctx.quick() ? 200 : 1000;
  auto fn = [&] {
    HWB_CUDA(cudaLaunchKernelEx(&cfg, l2_sharing_kernel, map, pattern, cluster_size, panels, iterations, sink));
  };
  const Timing t = ctx.time(fn, ctx.quick() ? 5 : 21, false, 3);
  const double delivered = double(cfg.gridDim.x) * iterations * kStagesPerGroup * kBoxBytes;
  const double from_l2 = delivered / cluster_size;
  Json params;
  params.add("op", "l2_sharing")
      .add("pattern", kPatternNames[pattern])
      .add("cluster", cluster_size)
      .add("ctas", cfg.gridDim.x)
      .add("box_bytes", kBoxBytes)
      .add("boxes_in_flight", kGroups * kStagesPerGroup)
      .add("tensor_bytes", rows * kRowBytes)
      .add("iterations", iterations);
  Json d;
  d.add("delivered_bytes", delivered)
      .add("l2_read_bytes", from_l2)
      .add("delivered_GBps", delivered / (t.median_us * 1e3))
      .add("l2_read_GBps", from_l2 / (t.median_us * 1e3));
  ctx.record(
      ctx.id_prefix() + "ubench_l2_sharing/" + kPatternNames[pattern] + "/cluster" + std::to_string(cluster_size),
      "ubench_l2_sharing", params, &t, "hwbench", "calibration", d);
  char line[200];
  std::snprintf(line, sizeof line, "L2 sharing %-9s cluster %d (%3u CTAs): %6.0f GB/s delivered, %6.0f GB/s from L2",
                kPatternNames[pattern], cluster_size, cfg.gridDim.x, delivered / (t.median_us * 1e3),
                from_l2 / (t.median_us * 1e3));
  ctx.note(line);
}

// The ring variant (cluster 1 only): one thread keeps `stages` boxes in flight
// in a ring of per-stage barriers, re-issuing each stage the moment its box has
// landed, with no barrier across CTAs. It separates the L2's own rate from the
// latency-bound or barrier-bound rate of the grouped kernel above: if the rate
// still grows from 8 to 12 boxes in flight, the grouped kernel was not
// measuring the L2. kWalk: every CTA reads every panel in turn, starting at its
// own (all lines are read by all SMs, never by two at once).
constexpr int kWalk = 3;
constexpr int kMaxRingStages = 12;

// Runs `count` boxes through a ring of `stages` slots, one mbarrier each:
// issue(i) loads box i into slot i % stages; a slot is reused once its
// previous box has landed; the last boxes are waited for before returning.
template <class Issue>
__device__ __forceinline__ void run_ring(uint64_t* bar, int stages, int count, Issue issue) {
  for (int i = 0; i < stages && i < count; ++i) issue(i);
  for (int i = stages; i < count; ++i) {
    mbarrier_wait(&bar[i % stages], ((i / stages) - 1) & 1);
    issue(i);
  }
  for (int i = count > stages ? count - stages : 0; i < count; ++i) mbarrier_wait(&bar[i % stages], (i / stages) & 1);
}

__device__ __forceinline__ int ring_panel(int pattern, int cta, int j, int panels) {
  const int round = j / kBoxesPerPanel;
  if (pattern == kWalk) return (cta + round) % panels;
  return panel_of(pattern, cta, j, panels);
}

__global__ void l2_ring_kernel(const __grid_constant__ CUtensorMap tmap, int pattern, int stages, int panels, int boxes,
                               unsigned* sink) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  unsigned char* smem =
      reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t bars[kMaxRingStages];
  if (threadIdx.x != 0) return;
  for (int s = 0; s < stages; ++s) mbarrier_init(&bars[s], 1);
  fence_barrier_init();
  const int cta = static_cast<int>(blockIdx.x);
  auto issue = [&](int j) {
    const int s = j % stages, panel = ring_panel(pattern, cta, j, panels);
    mbarrier_arrive_expect_tx(&bars[s], kBoxBytes);
    tma_load_2d(smem + size_t(s) * kBoxBytes, &tmap, (j % kBoxesPerPanel) * kBoxCols, panel * kBoxRows, &bars[s]);
  };
  run_ring(bars, stages, boxes, issue);
  if (boxes < 0) sink[0] = 1;
}

void ring(BenchContext& ctx, int pattern, int stages) {
  const int panels = ((ctx.sm_count() + 15) / 16) * 16;
  const size_t rows = size_t(panels) * kBoxRows;
  const ReadTensor tensor(ctx, rows, kBoxRows);
  const CUtensorMap& map = tensor.map;
  unsigned* sink = tensor.sink;
  const size_t smem = size_t(stages) * kBoxBytes + 1024;
  HWB_CUDA(cudaFuncSetAttribute(l2_ring_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  const int ctas = ctx.sm_count(), boxes = ctx.quick() ? 1600 : 8000;
  auto fn = [&] {
    l2_ring_kernel<<<ctas, 32, smem, ctx.stream()>>>(map, pattern, stages, panels, boxes, sink);
    HWB_CUDA(cudaGetLastError());
  };
  const Timing t = ctx.time(fn, ctx.quick() ? 5 : 21, false, 3);
  const double bytes = double(ctas) * boxes * kBoxBytes;
  static const char* const names[] = {"distinct", "shared", "panels16", "walk"};
  Json params;
  params.add("op", "l2_sharing_ring")
      .add("pattern", names[pattern])
      .add("cluster", 1)
      .add("ctas", ctas)
      .add("box_bytes", kBoxBytes)
      .add("boxes_in_flight", stages)
      .add("tensor_bytes", rows * kRowBytes)
      .add("boxes_per_cta", boxes);
  Json d;
  d.add("l2_read_bytes", bytes).add("l2_read_GBps", bytes / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + "ubench_l2_sharing/" + names[pattern] + "/ring" + std::to_string(stages),
             "ubench_l2_sharing", params, &t, "hwbench", "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "L2 ring %-9s %2d boxes in flight (%3d CTAs): %6.0f GB/s from L2", names[pattern],
                stages, ctas, bytes / (t.median_us * 1e3));
  ctx.note(line);
}

// How many readers a line needs, and how close in time, for the L2 to serve it
// faster (ubench_l2_sharing, part l2_readers). One CTA per SM; `issuers` warps
// per CTA each keep their own ring of `stages` boxes in flight (warp w loads
// the CTA's boxes w, w + issuers, ...), so that a CTA's issue loop is never
// what limits the rate (the single-thread ring above tops out near 45 bytes
// per clock per SM: 11.9 TB/s whatever the pattern; its `shared` rows are
// that limit). Patterns, each CTA on its own sequence of boxes:
//   group G: CTAs c / G read the same panels at the same steps (G readers per
//            line; G = 1 is distinct, G = all CTAs is shared);
//   lag L:   every CTA reads the same sequence, the odd CTAs L boxes behind the
//            even ones (two cohorts of readers, L box-times apart);
//   grid R:  a GEMM's operand pattern: CTA c is (c / C, c % C) of an R x C grid
//            (C = CTAs / R) and alternates a box of its row's A panel and one
//            of its column's B panel, K advancing along the panels (every A
//            line has C readers, every B line R, all at the same K step);
//   walk:    every panel in turn, starting at the CTA's own.
// Per-box addresses take no division by a runtime value (the per-CTA
// constants are computed once).
enum ReaderPattern : int { kGroupOf = 0, kLagBy = 1, kGrid = 2, kWalkFrom = 3 };
constexpr int kReaderPanels = 144;  // 18 MB, L2-resident
constexpr int kRingPeriod = kReaderPanels * kBoxesPerPanel;
constexpr int kMaxIssuers = 4;

struct ReaderPlan {
  int pattern, base, step, lag, rows;
};

__device__ ReaderPlan reader_plan(int pattern, int arg, int cta, int ctas) {
  ReaderPlan p{pattern, 0, 0, 0, arg};
  if (pattern == kGroupOf) p = {pattern, cta / arg, (ctas + arg - 1) / arg, 0, 0};
  if (pattern == kLagBy) p.lag = (cta % 2 == 1) ? arg : 0;
  if (pattern == kGrid) {
    const int cols = ctas / arg;
    p.base = cta / cols;       // the A panel
    p.lag = arg + cta % cols;  // the B panel
    p.step = arg + cols;       // panels per K set
  }
  if (pattern == kWalkFrom) p.base = cta;
  return p;
}

// Box j of the CTA's sequence: {x in bytes, first row}.
__device__ __forceinline__ int2 reader_box(const ReaderPlan& p, int j) {
  if (p.pattern == kGrid) {
    const int k = j >> 1, panel = ((j & 1) ? p.lag : p.base) + (k / kBoxesPerPanel) * p.step;
    return {(k % kBoxesPerPanel) * kBoxCols, (panel % kReaderPanels) * kBoxRows};
  }
  const int s = p.pattern == kLagBy ? (j - p.lag + kRingPeriod) % kRingPeriod : j;
  const int round = s / kBoxesPerPanel;
  const int panel = p.pattern == kLagBy ? round : p.base + round * (p.pattern == kWalkFrom ? 1 : p.step);
  return {(s % kBoxesPerPanel) * kBoxCols, (panel % kReaderPanels) * kBoxRows};
}

__global__ void l2_readers_kernel(const __grid_constant__ CUtensorMap tmap, int pattern, int arg, int issuers,
                                  int stages, int boxes, unsigned* sink) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  unsigned char* smem =
      reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t bars[kMaxIssuers * kMaxRingStages];
  const int warp = static_cast<int>(threadIdx.x) / 32;
  if (threadIdx.x % 32 != 0 || warp >= issuers) return;
  uint64_t* bar = bars + warp * stages;
  unsigned char* buf = smem + size_t(warp) * stages * kBoxBytes;
  for (int s = 0; s < stages; ++s) mbarrier_init(&bar[s], 1);
  fence_barrier_init();
  const ReaderPlan plan = reader_plan(pattern, arg, static_cast<int>(blockIdx.x), static_cast<int>(gridDim.x));
  const int mine = (boxes - warp + issuers - 1) / issuers;  // this warp's boxes: warp + issuers * i
  auto issue = [&](int i) {
    const int s = i % stages;
    const int2 b = reader_box(plan, warp + issuers * i);
    mbarrier_arrive_expect_tx(&bar[s], kBoxBytes);
    tma_load_2d(buf + size_t(s) * kBoxBytes, &tmap, b.x, b.y, &bar[s]);
  };
  run_ring(bar, stages, mine, issue);
  if (boxes < 0) sink[0] = 1;
}

void readers(BenchContext& ctx, int pattern, int arg, int issuers, int stages) {
  const size_t rows = size_t(kReaderPanels) * kBoxRows;
  const ReadTensor tensor(ctx, rows, kBoxRows);
  const CUtensorMap& map = tensor.map;
  unsigned* sink = tensor.sink;
  const size_t smem = size_t(issuers) * stages * kBoxBytes + 1024;
  HWB_CUDA(
      cudaFuncSetAttribute(l2_readers_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  const int ctas = ctx.sm_count(), boxes = ctx.quick() ? 1600 : 8000;
  auto fn = [&] {
    l2_readers_kernel<<<ctas, 32 * issuers, smem, ctx.stream()>>>(map, pattern, arg, issuers, stages, boxes, sink);
    HWB_CUDA(cudaGetLastError());
  };
  const Timing t = ctx.time(fn, ctx.quick() ? 5 : 21, false, 3);
  const double bytes = double(ctas) * boxes * kBoxBytes;
  static const char* const names[] = {"group", "lag", "grid", "walk"};
  static const char* const args[] = {"readers", "lag_boxes", "grid_rows", "start"};
  Json params;
  params.add("op", "l2_readers")
      .add("pattern", names[pattern])
      .add(args[pattern], arg)
      .add("cluster", 1)
      .add("ctas", ctas)
      .add("box_bytes", kBoxBytes)
      .add("issuers", issuers)
      .add("boxes_in_flight", issuers * stages)
      .add("tensor_bytes", rows * kRowBytes)
      .add("boxes_per_cta", boxes);
  Json d;
  d.add("l2_read_bytes", bytes).add("l2_read_GBps", bytes / (t.median_us * 1e3));
  const std::string name = std::string(names[pattern]) + (pattern == kWalkFrom ? std::string() : std::to_string(arg));
  const std::string ring = "issue" + std::to_string(issuers) + "x" + std::to_string(stages);
  ctx.record(ctx.id_prefix() + "ubench_l2_sharing/" + name + "/" + ring, "ubench_l2_sharing", params, &t, "hwbench",
             "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "L2 readers %-9s %d warps x %d in flight (%3d CTAs): %6.0f GB/s from L2",
                name.c_str(), issuers, stages, ctas, bytes / (t.median_us * 1e3));
  ctx.note(line);
}

}  // namespace

void run_l2_readers_ubench(BenchContext& ctx) {
  // The single-issuer ring's limit, on the two extreme patterns.
  for (int g : {1, 132}) readers(ctx, kGroupOf, g, 1, 4);
  for (int stages : {1, 2, 3}) {
    for (int g : {1, 2, 4, 8, 16, 33, 66, 132}) readers(ctx, kGroupOf, g, kMaxIssuers, stages);
    for (int lag : {1, 2, 4, 8, 32}) readers(ctx, kLagBy, lag, kMaxIssuers, stages);
    if (ctx.sm_count() % 12 == 0)
      for (int r : {2, 4, 6, 12}) readers(ctx, kGrid, r, kMaxIssuers, stages);
    readers(ctx, kWalkFrom, 0, kMaxIssuers, stages);
  }
}

void run_l2_sharing_ubench(BenchContext& ctx) {
  for (int pattern : {kDistinct, kShared, kPanels16})
    for (int cluster : {1, 2, 4}) sharing(ctx, pattern, cluster);
  for (int pattern : {int(kDistinct), int(kShared), int(kPanels16), kWalk})
    for (int stages : {4, 8, 12}) ring(ctx, pattern, stages);
}

}  // namespace hwbench
