// Calibration microbenchmarks of the TMA (ubench_tma): box-load throughput
// from HBM and from L2, and box-load latency (issue to mbarrier completion).
// The CUtensorMap is encoded with cuTensorMapEncodeTiled fetched through
// cudaGetDriverEntryPointByVersion, so the binary needs no -lcuda.
#include <algorithm>
#include <cstdio>

#include "bench_context.hpp"
#include "hopper_ptx.hpp"
#include "tensor_map.hpp"

namespace hwbench {
namespace {

constexpr int kBoxInner = 64;  // bf16 elements = 128 bytes, the width of the 128B swizzle
constexpr int kCols = 4096;    // tensor row length (bf16 elements)
constexpr int kStages = 4;

CUtensorMap make_map(void* base, size_t rows, int box_rows) {
  CUtensorMap map{};
  const cuuint64_t dims[2] = {kCols, rows};
  const cuuint64_t strides[1] = {kCols * 2};
  const cuuint32_t box[2] = {kBoxInner, static_cast<cuuint32_t>(box_rows)};
  const cuuint32_t elem[2] = {1, 1};
  const CUresult r = tensor_map_encoder()(&map, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2, base, dims, strides, box, elem,
                                          CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                                          CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) throw BenchError("cuTensorMapEncodeTiled failed with CUresult " + std::to_string(r));
  return map;
}

// One thread per CTA keeps kStages box loads in flight; tiles are dealt
// round-robin to CTAs. `passes` > 1 re-reads a tensor that fits in L2.
__global__ void tma_throughput_kernel(const __grid_constant__ CUtensorMap tmap, int tiles_x, int tiles_total,
                                      int box_rows, int passes, unsigned* sink) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  // 128B swizzle needs 1024-byte aligned destinations.
  unsigned char* smem =
      reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t bars[kStages];
  if (threadIdx.x != 0) return;
  const uint32_t box_bytes = kBoxInner * 2 * box_rows;
  for (int s = 0; s < kStages; ++s) mbarrier_init(&bars[s], 1);
  fence_barrier_init();
  const int per_cta =
      (tiles_total - static_cast<int>(blockIdx.x) + static_cast<int>(gridDim.x) - 1) / static_cast<int>(gridDim.x);
  const int total = per_cta * passes;
  auto issue = [&](int it) {
    const int tile = static_cast<int>(blockIdx.x) + (it % per_cta) * static_cast<int>(gridDim.x);
    const int s = it % kStages;
    mbarrier_arrive_expect_tx(&bars[s], box_bytes);
    tma_load_2d(smem + size_t(s) * box_bytes, &tmap, (tile % tiles_x) * kBoxInner, (tile / tiles_x) * box_rows,
                &bars[s]);
  };
  for (int it = 0; it < kStages && it < total; ++it) issue(it);
  unsigned acc = 0;
  for (int it = 0; it < total; ++it) {
    const int s = it % kStages;
    mbarrier_wait(&bars[s], (it / kStages) & 1);
    acc += reinterpret_cast<const unsigned*>(smem + size_t(s) * box_bytes)[it & 31];
    if (it + kStages < total) issue(it + kStages);
  }
  if (acc == 0x9e3779b9u) sink[0] = acc;
}

// One load at a time: clock64 from issue to completion, summed over `loads`.
// distinct: each load reads a new tile (cold after an L2 flush); otherwise the
// same tile every time (an L2 hit after the first).
__global__ void tma_latency_kernel(const __grid_constant__ CUtensorMap tmap, int tiles_x, int box_rows, int loads,
                                   bool distinct, unsigned long long* out) {
  extern __shared__ __align__(1024) unsigned char smem_raw[];
  unsigned char* smem =
      reinterpret_cast<unsigned char*>((reinterpret_cast<uintptr_t>(smem_raw) + 1023) & ~uintptr_t(1023));
  __shared__ uint64_t bar;
  if (threadIdx.x != 0) return;
  const uint32_t box_bytes = kBoxInner * 2 * box_rows;
  mbarrier_init(&bar, 1);
  fence_barrier_init();
  unsigned long long cycles = 0;
  unsigned acc = 0;
  for (int i = 0; i < loads + 1; ++i) {
    const int tile = distinct ? i : 0;
    const long long c0 = clock64();
    mbarrier_arrive_expect_tx(&bar, box_bytes);
    tma_load_2d(smem, &tmap, (tile % tiles_x) * kBoxInner, (tile / tiles_x) * box_rows, &bar);
    mbarrier_wait(&bar, i & 1);
    acc += reinterpret_cast<const unsigned*>(smem)[i & 31];
    const long long c1 = clock64();
    if (i > 0 || distinct) cycles += static_cast<unsigned long long>(c1 - c0);  // same tile: skip the cold first load
  }
  out[0] = cycles;
  out[1] = acc;
}

void throughput(BenchContext& ctx, const char* source, size_t bytes, int box_rows, int ctas_per_sm) {
  const size_t rows = bytes / (kCols * 2) / box_rows * box_rows;
  void* buf = nullptr;
  unsigned* sink = nullptr;
  HWB_CUDA(cudaMalloc(&buf, rows * kCols * 2));
  HWB_CUDA(cudaMalloc(&sink, sizeof *sink));
  fill_random_bf16(static_cast<uint16_t*>(buf), rows * kCols, 21, ctx.stream());
  const CUtensorMap map = make_map(buf, rows, box_rows);
  const int tiles_x = kCols / kBoxInner;
  const int tiles = static_cast<int>(tiles_x * (rows / box_rows));
  const bool in_l2 = std::string(source) == "l2";
  const int passes = in_l2 ? std::max(4, static_cast<int>((size_t(1) << 30) / (rows * kCols * 2))) : 1;
  const size_t box_bytes = size_t(kBoxInner) * 2 * box_rows;
  const size_t smem = kStages * box_bytes + 1024;
  HWB_CUDA(
      cudaFuncSetAttribute(tma_throughput_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  const unsigned grid = static_cast<unsigned>(ctx.sm_count() * ctas_per_sm);
  auto fn = [&] {
    tma_throughput_kernel<<<grid, 32, smem, ctx.stream()>>>(map, tiles_x, tiles, box_rows, passes, sink);
  };
  const Timing t = ctx.time(fn, ctx.reps(), !in_l2, in_l2 ? 3 : 2);
  const double moved = double(rows) * kCols * 2 * passes;
  Json params;
  params.add("op", "load_throughput")
      .add("source", source)
      .add("box_inner_bytes", kBoxInner * 2)
      .add("box_rows", box_rows)
      .add("box_bytes", box_bytes)
      .add("stages", kStages)
      .add("ctas", grid)
      .add("swizzle", "128B")
      .add("tensor_bytes", rows * kCols * 2)
      .add("passes", passes);
  Json d;
  d.add("bytes_moved", moved).add("GBps", moved / (t.median_us * 1e3));
  ctx.record(ctx.id_prefix() + "ubench_tma/throughput_" + source + "/box128x" + std::to_string(box_rows) + "_ctas" +
                 std::to_string(grid),
             "ubench_tma", params, &t, "hwbench", "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "%-52s %.0f GB/s",
                ("TMA load " + std::string(source) + ", box 128Bx" + std::to_string(box_rows) + ", " +
                 std::to_string(ctas_per_sm) + " CTA/SM")
                    .c_str(),
                moved / (t.median_us * 1e3));
  ctx.note(line);
  HWB_CUDA(cudaFree(buf));
  HWB_CUDA(cudaFree(sink));
}

void latency(BenchContext& ctx, bool distinct, int box_rows) {
  const size_t rows = (size_t(256) << 20) / (kCols * 2);
  void* buf = nullptr;
  unsigned long long* out = nullptr;
  HWB_CUDA(cudaMalloc(&buf, rows * kCols * 2));
  HWB_CUDA(cudaMalloc(&out, 2 * sizeof *out));
  fill_random_bf16(static_cast<uint16_t*>(buf), rows * kCols, 22, ctx.stream());
  const CUtensorMap map = make_map(buf, rows, box_rows);
  const int tiles_x = kCols / kBoxInner;
  const int loads = ctx.quick() ? 256 : 2048;
  const size_t box_bytes = size_t(kBoxInner) * 2 * box_rows;
  const size_t smem = box_bytes + 1024;
  HWB_CUDA(
      cudaFuncSetAttribute(tma_latency_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  auto fn = [&] { tma_latency_kernel<<<1, 32, smem, ctx.stream()>>>(map, tiles_x, box_rows, loads, distinct, out); };
  const Timing t = ctx.time(fn, ctx.quick() ? 3 : 21, distinct, 1);
  unsigned long long res[2];
  HWB_CUDA(cudaMemcpy(res, out, sizeof res, cudaMemcpyDeviceToHost));
  const int counted = distinct ? loads + 1 : loads;
  const double cycles = double(res[0]) / counted;
  const char* source = distinct ? "hbm" : "l2";
  Json params;
  params.add("op", "load_latency")
      .add("source", source)
      .add("box_inner_bytes", kBoxInner * 2)
      .add("box_rows", box_rows)
      .add("box_bytes", box_bytes)
      .add("loads", counted)
      .add("swizzle", "128B");
  Json d;
  d.add("cycles_per_load", cycles);
  if (t.sm_clock_mhz > 0) d.add("ns_per_load", cycles / t.sm_clock_mhz * 1e3);
  ctx.record(ctx.id_prefix() + "ubench_tma/latency_" + source + "/box128x" + std::to_string(box_rows), "ubench_tma",
             params, &t, "hwbench", "calibration", d);
  char line[160];
  std::snprintf(line, sizeof line, "%-52s %.0f cycles",
                ("TMA load latency " + std::string(source) + ", box 128Bx" + std::to_string(box_rows)).c_str(), cycles);
  ctx.note(line);
  HWB_CUDA(cudaFree(buf));
  HWB_CUDA(cudaFree(out));
}

}  // namespace

void run_tma_ubench(BenchContext& ctx) {
  const size_t hbm_bytes = ctx.quick() ? (size_t(512) << 20) : (size_t(1) << 30);
  const size_t l2_bytes = ctx.l2_bytes() / 4;
  for (int box_rows : {64, 256}) {
    throughput(ctx, "hbm", hbm_bytes, box_rows, 1);
    throughput(ctx, "l2", l2_bytes, box_rows, 1);
    if (!ctx.quick() && box_rows == 64) throughput(ctx, "hbm", hbm_bytes, box_rows, 2);  // 2 x 129 KiB does not fit
  }
  for (int box_rows : {64, 256}) {
    latency(ctx, false, box_rows);
    latency(ctx, true, box_rows);
  }
}

}  // namespace hwbench
