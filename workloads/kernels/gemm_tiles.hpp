#pragma once
// Tile, stage and cluster choice of the Hopper GEMMs. The heuristic is
// DeepGEMM's (deep_gemm/jit_kernels/gemm.py @ a6d97a1, REFERENCE C2): among
// the candidate block shapes, minimise the number of waves over the SMs, then
// maximise the utilisation of the last wave, then prefer the larger BLOCK_N;
// pipeline stages are the most (8 down to 2) that fit the per-CTA shared-memory
// limit. It is applied to every shape; nothing is chosen per shape. A launch
// may instead name its configuration (params tile_m, tile_n, cluster_m,
// cluster_n): the validation records of cuBLASLt GEMMs carry the one the
// library ran (docs/validation.md, "The configuration that runs").
#include <cstdint>
#include <string>

#include "models/spec/hardware_spec.hpp"

namespace hwsim::kernels {

// kRowwise: one FP32 scale per row of A and per row of B (torch._scaled_grouped_mm's
// row-wise FP8), applied in the epilogue.
enum class GemmScaling { kNone, kPerTensor, kRowwise, kBlock1x128x128 };

struct GemmShape {
  std::int64_t m, n, k;
  DataType ab;  // A and B element type
  DataType out;
  GemmScaling scaling;
  bool promote;  // partial sums moved to FP32 CUDA-core registers every 128 K
  // Block scaling with B scaled per row too (1x128 x 1x128, a weight gradient's
  // two activation-like operands): a stage carries BLOCK_N B scales.
  bool b_row_scales = false;
};

// How the math warp groups cover a block_m x block_n tile. A wgmma is 64 rows
// (m64) by N columns (n8..n256): the tile's side that is a multiple of 64 takes
// the rows (block_m, else block_n: a transposed orientation, as cuBLASLt's
// 128x160 tiles need). Two warp groups split a side of 128 or more, along the
// rows when each half is still a multiple of 64, else along the columns
// (192x192: each warp group 192 x 96); a column side wider than 256 is issued
// as several wgmmas (320: two n160).
struct GemmWarpLayout {
  int math_wgs = 1;
  int wg_rows = 64, wg_cols = 0;  // the part of the tile one warp group owns, in D's rows and columns
  bool split_rows = true;         // the warp groups split the tile's rows (else its columns)
  int wgmma_n = 0;                // N of one wgmma
  int wgmmas = 1;                 // wgmmas per 32 bytes of K per warp group
};

struct GemmTiles {
  int block_m, block_n, block_k;
  int stages;
  // CTAs of a cluster along M (they share the B tile by TMA multicast) and
  // along N (they share the A tile).
  int cluster_m = 1, cluster_n = 1;
  int math_wgs;  // consumer warp groups
  GemmWarpLayout layout;
  std::int64_t smem_bytes;
  std::int64_t tiles;
  std::int64_t waves;
  std::int64_t last_wave_tiles;
  int cluster() const { return cluster_m * cluster_n; }
};

// A configuration the launch names (params tile_m, tile_n, cluster_m,
// cluster_n); 0 leaves the choice to the heuristic.
struct GemmForced {
  int block_m = 0, block_n = 0;
  int cluster_m = 0, cluster_n = 0;
};

// Contract: the shape has passed the GEMM's param checks. Throws hwsim::Error
// when no candidate fits shared memory with two stages or the registers.
GemmTiles choose_gemm_tiles(const GemmShape& s, const SmParams& sm, int sms, const GemmForced& forced = {},
                            const char* kernel = "gemm");  // the kernel its errors name
// The warp layout of a block_m x block_n tile, or an explanation in `why`
// when wgmma cannot cover it (no side a multiple of 64, or N not a multiple of 8).
bool gemm_warp_layout(int block_m, int block_n, GemmWarpLayout& out, std::string& why);
std::int64_t gemm_smem_bytes(const GemmShape& s, int block_m, int block_n, int block_k, int stages);

}  // namespace hwsim::kernels
