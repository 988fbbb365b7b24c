#include "workloads/kernels/gemm_tiles.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"

namespace hwsim::kernels {
namespace {
// Kernel-design constants (software, not hardware): DeepGEMM's candidates.
constexpr int kMaxStages = 8;
constexpr int kMinStages = 2;
constexpr int kBarrierBytes = 8;   // one mbarrier
constexpr int kKBlockBytes = 128;  // BLOCK_K covers 128 bytes of K (128B swizzle): 64 BF16 / 128 FP8
constexpr int kScaleBlock = 128;   // DeepSeek-V3 fine-grained scaling granule
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

GemmTiles choose_gemm_tiles(const GemmShape& s, const SmParams& sm, int sms, int forced_m, int forced_n) {
  const int bk = kKBlockBytes / bytes_of(s.ab);
  const bool block = s.scaling == GemmScaling::kBlock1x128x128;
  // BLOCK_M: 64 rows (one math warp group) for M <= 64, else 128 (two).
  const int bm = forced_m > 0 ? forced_m : (s.m <= 64 ? 64 : 128);
  // BLOCK_N: DeepGEMM's 16..128 in steps of 8 when block-scaled partial sums
  // are promoted on the CUDA cores (the wgmma accumulator and the FP32 sum are
  // both held in registers, which bounds it); up to the wgmma maximum of 256
  // otherwise, including group-scaled MMA, which keeps one accumulator.
  const bool two_accumulators = block && s.promote;
  const int n_max = two_accumulators ? 128 : 256;
  const int n_step = two_accumulators ? 8 : 16;
  GemmTiles best{};
  bool found = false;
  for (int bn = n_step; bn <= n_max; bn += n_step) {
    if (forced_n > 0 && bn != forced_n) continue;
    int stages = 0;
    for (int st = kMaxStages; st >= kMinStages; --st) {
      if (gemm_smem_bytes(s, bm, bn, bk, st) <= sm.smem_per_block_max_bytes) {
        stages = st;
        break;
      }
    }
    if (stages == 0) continue;
    const std::int64_t tiles = ((s.m + bm - 1) / bm) * ((s.n + bn - 1) / bn);
    const std::int64_t waves = (tiles + sms - 1) / sms;
    const std::int64_t last = tiles - (waves - 1) * sms;
    const bool better = !found || waves < best.waves || (waves == best.waves && last > best.last_wave_tiles) ||
                        (waves == best.waves && last == best.last_wave_tiles && bn > best.block_n);
    if (better) {
      best = {bm, bn, bk, stages, 1, false, bm / 64, gemm_smem_bytes(s, bm, bn, bk, stages), tiles, waves, last};
      found = true;
    }
  }
  if (!found) {
    const int bn = forced_n > 0 ? forced_n : n_step;
    throw Error(fmt::format(
        "kernel gemm: a {}x{}x{} tile needs {} bytes of shared memory with {} stages; a CTA may use at most {} "
        "(sm.smem_per_block_max_bytes)",
        bm, bn, bk, gemm_smem_bytes(s, bm, bn, bk, kMinStages), kMinStages, sm.smem_per_block_max_bytes));
  }
  // 2-CTA clusters multicast one operand tile when M is large (DeepGEMM: M >=
  // 1024; cuBLASLt also runs 2-CTA clusters): the larger tile of the two is
  // shared, halving its L2 reads, so the cluster runs along M when BLOCK_N >
  // BLOCK_M (B shared) and along N otherwise (A shared, DeepGEMM's choice).
  const std::int64_t m_blocks = (s.m + best.block_m - 1) / best.block_m;
  const std::int64_t n_blocks = (s.n + best.block_n - 1) / best.block_n;
  best.multicast_b = best.block_n > best.block_m;
  const std::int64_t paired = best.multicast_b ? m_blocks : n_blocks;
  if (s.m >= 1024 && paired % 2 == 0 && sms >= 2 && sm.max_cluster_size >= 2) best.cluster = 2;
  return best;
}

}  // namespace hwsim::kernels
