#include "workloads/kernels/gemm_tiles.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"

namespace hwsim::kernels {
namespace {
// Kernel-design constants (software, not hardware): DeepGEMM's candidates.
constexpr int kMaxStages = 8;
constexpr int kMinStages = 2;
constexpr int kBarrierBytes = 8;   // one mbarrier
constexpr int kKBlockBytes = 128;  // BLOCK_K covers 128 bytes of K (128B swizzle): 64 BF16 / 128 FP8
constexpr int kScaleBlock = 128;   // DeepSeek-V3 fine-grained scaling granule
constexpr int kWgmmaRows = 64;     // wgmma m64 (PTX ISA, wgmma.mma_async shapes)
constexpr int kMaxWgmmaN = 256;    // wgmma n8..n256
constexpr int kThreadsPerWarpGroup = 128;
// Registers a math thread may hold accumulators in: CUTLASS's and DeepGEMM's
// warp-specialised kernels give math warp groups 240 (setmaxnreg), producers 40.
constexpr int kMathRegisters = 240;
}  // namespace

std::int64_t gemm_smem_bytes(const GemmShape& s, int bm, int bn, int bk, int stages) {
  const std::int64_t ab = bytes_of(s.ab);
  const bool block = s.scaling == GemmScaling::kBlock1x128x128;
  const std::int64_t stage =
      (bm + bn) * static_cast<std::int64_t>(bk) * ab + (block ? bm * 4 : 0) + (s.b_row_scales ? bn * 4 : 0);
  const std::int64_t fixed = static_cast<std::int64_t>(bm) * bn * bytes_of(s.out) +
                             (block ? (s.k + kScaleBlock - 1) / kScaleBlock * 4 * 2 : 0) + 2LL * stages * kBarrierBytes;
  return fixed + stages * stage;
}

bool gemm_warp_layout(int block_m, int block_n, GemmWarpLayout& out, std::string& why) {
  // The row side (multiple of 64) and the column side, in wgmma's terms.
  const bool transposed = block_m % kWgmmaRows != 0;
  const int row_side = transposed ? block_n : block_m, col_side = transposed ? block_m : block_n;
  if (row_side % kWgmmaRows != 0) {
    why = fmt::format("a {}x{} tile has no side that is a multiple of 64 (wgmma's m64)", block_m, block_n);
    return false;
  }
  GemmWarpLayout l;
  l.math_wgs = row_side >= 2 * kWgmmaRows ? 2 : 1;
  const bool halve_rows = (row_side / l.math_wgs) % kWgmmaRows == 0;
  const int wg_row_side = halve_rows ? row_side / l.math_wgs : row_side;
  const int wg_col_side = halve_rows ? col_side : col_side / l.math_wgs;
  const int pieces = (wg_col_side + kMaxWgmmaN - 1) / kMaxWgmmaN;
  l.wgmma_n = wg_col_side / pieces;
  if (wg_col_side % pieces != 0 || l.wgmma_n % 8 != 0) {
    why = fmt::format(
        "a {}x{} tile gives each warp group {} columns, not a whole number of wgmma N (a multiple "
        "of 8 up to 256)",
        block_m, block_n, wg_col_side);
    return false;
  }
  l.wgmmas = wg_row_side / kWgmmaRows * pieces;
  // Back to D's rows and columns.
  l.split_rows = halve_rows != transposed;
  l.wg_rows = transposed ? wg_col_side : wg_row_side;
  l.wg_cols = transposed ? wg_row_side : wg_col_side;
  out = l;
  return true;
}

namespace {

// The accumulators of one math thread; with block scaling promoted on the
// CUDA cores the FP32 sum is a second set.
int accumulator_registers(const GemmShape& s, const GemmWarpLayout& l) {
  const bool two = s.scaling == GemmScaling::kBlock1x128x128 && s.promote;
  return l.wg_rows * l.wg_cols / kThreadsPerWarpGroup * (two ? 2 : 1);
}

// The most stages (8 down to 2) that fit the per-CTA shared-memory limit; 0 if none.
int max_stages(const GemmShape& s, const SmParams& sm, int bm, int bn, int bk) {
  for (int st = kMaxStages; st >= kMinStages; --st)
    if (gemm_smem_bytes(s, bm, bn, bk, st) <= sm.smem_per_block_max_bytes) return st;
  return 0;
}

// 2-CTA clusters multicast one operand tile when M is large (DeepGEMM: M >=
// 1024; cuBLASLt also runs 2-CTA clusters): the larger tile of the two is
// shared, halving its L2 reads, so the cluster runs along M when BLOCK_N >
// BLOCK_M (B shared) and along N otherwise (A shared, DeepGEMM's choice).
void auto_cluster(const GemmShape& s, const SmParams& sm, int sms, GemmTiles& t) {
  const std::int64_t m_blocks = (s.m + t.block_m - 1) / t.block_m;
  const std::int64_t n_blocks = (s.n + t.block_n - 1) / t.block_n;
  const bool along_m = t.block_n > t.block_m;
  const std::int64_t paired = along_m ? m_blocks : n_blocks;
  if (s.m >= 1024 && paired % 2 == 0 && sms >= 2 && sm.max_cluster_size >= 2) (along_m ? t.cluster_m : t.cluster_n) = 2;
}

}  // namespace

GemmTiles choose_gemm_tiles(const GemmShape& s, const SmParams& sm, int sms, const GemmForced& forced,
                            const char* kernel) {
  const int bk = kKBlockBytes / bytes_of(s.ab);
  const bool block = s.scaling == GemmScaling::kBlock1x128x128;
  // BLOCK_M: 64 rows (one math warp group) for M <= 64, else 128 (two).
  const int bm = forced.block_m > 0 ? forced.block_m : (s.m <= 64 ? 64 : 128);
  // BLOCK_N: DeepGEMM's 16..128 in steps of 8 when block-scaled partial sums
  // are promoted on the CUDA cores (the wgmma accumulator and the FP32 sum are
  // both held in registers, which bounds it); up to the wgmma maximum of 256
  // otherwise, including group-scaled MMA, which keeps one accumulator.
  const bool two_accumulators = block && s.promote;
  const int n_max = forced.block_n > 0 ? forced.block_n : (two_accumulators ? 128 : 256);
  const int n_step = forced.block_n > 0 ? forced.block_n : (two_accumulators ? 8 : 16);
  GemmTiles best{};
  bool found = false;
  std::string why;
  for (int bn = n_step; bn <= n_max; bn += n_step) {
    // The first reason a candidate fails is the one reported.
    GemmWarpLayout layout;
    std::string reason;
    if (!gemm_warp_layout(bm, bn, layout, reason)) {
      if (why.empty()) why = reason;
      continue;
    }
    if (const int regs = accumulator_registers(s, layout); regs > kMathRegisters) {
      if (why.empty())
        why = fmt::format("a {}x{} tile needs {} accumulator registers per math thread; at most {} (setmaxnreg)", bm,
                          bn, regs, kMathRegisters);
      continue;
    }
    const int stages = max_stages(s, sm, bm, bn, bk);
    if (stages == 0) {
      if (why.empty())
        why = fmt::format(
            "a {}x{}x{} tile needs {} bytes of shared memory with {} stages; a CTA may use at most {} "
            "(sm.smem_per_block_max_bytes)",
            bm, bn, bk, gemm_smem_bytes(s, bm, bn, bk, kMinStages), kMinStages, sm.smem_per_block_max_bytes);
      continue;
    }
    const std::int64_t tiles = ((s.m + bm - 1) / bm) * ((s.n + bn - 1) / bn);
    const std::int64_t waves = (tiles + sms - 1) / sms;
    const std::int64_t last = tiles - (waves - 1) * sms;
    const bool better = !found || waves < best.waves || (waves == best.waves && last > best.last_wave_tiles) ||
                        (waves == best.waves && last == best.last_wave_tiles && bn > best.block_n);
    if (better) {
      best = {bm,    bn,    bk,  stages, 1, 1, layout.math_wgs, layout, gemm_smem_bytes(s, bm, bn, bk, stages),
              tiles, waves, last};
      found = true;
    }
  }
  if (!found) throw Error(fmt::format("kernel {}: {}", kernel, why));
  if (forced.cluster_m > 0 || forced.cluster_n > 0) {
    best.cluster_m = std::max(forced.cluster_m, 1);
    best.cluster_n = std::max(forced.cluster_n, 1);
    if (best.cluster() > sm.max_cluster_size || best.cluster() > sms)
      throw Error(fmt::format("kernel {}: a cluster of {}x{} CTAs exceeds sm.max_cluster_size = {} (or the {} SMs)",
                              kernel, best.cluster_m, best.cluster_n, sm.max_cluster_size, sms));
  } else {
    auto_cluster(s, sm, sms, best);
  }
  return best;
}

}  // namespace hwsim::kernels
