#pragma once
// Tile, stage and cluster choice of the Hopper GEMMs. The heuristic is
// DeepGEMM's (deep_gemm/jit_kernels/gemm.py @ a6d97a1, REFERENCE C2): among
// the candidate block shapes, minimise the number of waves over the SMs, then
// maximise the utilisation of the last wave, then prefer the larger BLOCK_N;
// pipeline stages are the most (8 down to 2) that fit the per-CTA shared-memory
// limit. It is applied to every shape; nothing is chosen per shape.
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

struct GemmTiles {
  int block_m, block_n, block_k;
  int stages;
  int cluster;       // CTAs sharing one operand tile by TMA multicast
  bool multicast_b;  // cluster along M sharing the B tile (else along N sharing A)
  int math_wgs;      // consumer warp groups (64 rows each)
  std::int64_t smem_bytes;
  std::int64_t tiles;
  std::int64_t waves;
  std::int64_t last_wave_tiles;
};

// Contract: the shape has passed the GEMM's param checks. `forced_m/n` > 0
// pin a block size (params tile_m / tile_n). Throws hwsim::Error when no
// candidate fits shared memory with two stages.
GemmTiles choose_gemm_tiles(const GemmShape& s, const SmParams& sm, int sms, int forced_m = 0, int forced_n = 0);
std::int64_t gemm_smem_bytes(const GemmShape& s, int block_m, int block_n, int block_k, int stages);

}  // namespace hwsim::kernels
