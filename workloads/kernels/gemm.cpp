// gemm: C[m,n] = A[m,k] * B[n,k]^T, both K-major, on Hopper tensor cores.
//
// Stands for: cuBLASLt's warp-specialised persistent Hopper GEMMs (BF16;
// FP8 E4M3 with per-tensor scales, with and without fast accumulation) and
// DeepGEMM's FP8 GEMM with fine-grained scaling (REFERENCE C2). All share one
// structure: a persistent grid with a static tile scheduler (DeepGEMM's
// swizzle in groups of 16 M blocks); per CTA one TMA producer warp group and
// one or two math warp groups (64 rows each); a ring of `stages` shared-memory
// buffers guarded by full/empty mbarriers; 2-CTA clusters multicast the A tile.
// Math warp groups issue BLOCK_K / wgmma_K wgmma instructions per K block.
// With block scaling, or FP8 without fast accumulation, every 128 of K the
// partial sums are promoted: wait for the wgmmas, then FFMA them into FP32
// registers on the CUDA cores (DeepSeek-V3 3.3.2); the other math warp group
// keeps the tensor cores busy meanwhile. Without promotion a math warp group
// keeps one wgmma group in flight (wgmma.wait_group 1) and releases the
// previous stage. The epilogue converts, stages D in shared memory and stores
// it with TMA while the next tile's main loop starts.
//
// Proposal variants (DeepSeek-V3 3.5.2; docs/engine.md "Proposal variants"),
// each a different program, chosen by params and checked against the spec:
// - a_source = bf16_tma_cast: A is stored in BF16 and its TMA boxes pass the
//   TMA's FP8 cast unit, which also computes the 1x128 scales (no A-scale
//   loads); write_a_fp8_copy makes the CTAs of the first N tile store the
//   cast FP8 A and its scales for the backward.
// - a_source = bf16_near_memory_cast: A arrives as FP8 + scales, cast from
//   BF16 beside the HBM (the memory system's near-memory path).
// - promotion = tensor_core: group-scaled MMA; no promotion ops, the math
//   warp groups keep a wgmma group in flight, each wgmma costs
//   tensor_core.group_scale_cycles more on the tensor pipe.
// - operand_major = mn: Wgrad operands stored token-major ([k, m], [k, n]);
//   the TMA loads them as stored and re-scales each box to 128x1 through the
//   cast unit; WGMMA reads them transposed.
#include <vector>

#include "workloads/kernels/gemm_program.hpp"
#include "workloads/kernels/kernels.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

std::vector<KernelParam> declare_params() {
  std::vector<KernelParam> params = {{"m", "integer > 0", "", "elements", "rows of A and D (tokens)", {}}};
  for (auto& p : gemm_operand_params()) params.push_back(std::move(p));
  params.push_back({"out_dtype", "dtype", "", "", "D's element type: bf16 or fp32", {}});
  params.push_back(
      {"scaling",
       "choice",
       "none",
       "",
       "FP8 scaling: per_tensor, DeepSeek-V3's 1x128 activations x 128x128 weights, or 1x128 x 1x128 (Wgrad)",
       {"none", "per_tensor", "block_1x128_128x128", "block_1x128_1x128"}});
  for (auto& p : gemm_tuning_params()) params.push_back(std::move(p));
  for (auto& p : gemm_cluster_params()) params.push_back(std::move(p));
  for (auto& p : gemm_proposal_params(/*operand_major=*/true)) params.push_back(std::move(p));
  params.push_back(
      {"accumulate", "flag", "false", "", "D += A B: the epilogue reads D first (gradient accumulation)", {}});
  return params;
}

const std::vector<KernelParam> kParams = declare_params();

GemmRequest read_request(const ParamReader& p) {
  const std::int64_t m = p.positive("m");
  GemmRequest r = read_gemm_request(p, m, /*operand_major=*/true);
  read_gemm_cluster(p, r);
  // D += A B: the epilogue reads the tile of D it then overwrites (a weight
  // gradient accumulated over micro-batches into the FP32 gradient buffer).
  r.accumulate = p.flag("accumulate");
  return r;
}

// Token-major (MN-major) operands are stored [k, m] and [k, n]. A cast by
// the TMA crosses L2 in BF16; a near-memory cast sends FP8 off the stacks.
std::vector<TensorDesc> tensors(const GemmRequest& r) {
  const GemmShape& s = r.s;
  const GemmVariant& v = r.v;
  const int a_bytes = v.a_cast == DataPath::kTmaCast ? 2 : bytes_of(s.ab);
  const std::int64_t k_scales = (s.k + 127) / 128;
  return {v.mn_major ? TensorDesc{"A (k x m)", s.k, s.m, a_bytes} : TensorDesc{"A", s.m, s.k, a_bytes},
          v.mn_major ? TensorDesc{"B (k x n)", s.k, s.n, bytes_of(s.ab)} : TensorDesc{"B", s.n, s.k, bytes_of(s.ab)},
          {"D", s.m, s.n, bytes_of(s.out)},
          {"A scales (k/128 x m, FP32)", k_scales, s.m, 4},
          s.b_row_scales ? TensorDesc{"B scales (k/128 x n, FP32)", k_scales, s.n, 4}
                         : TensorDesc{"B scales (n/128 x k/128, FP32)", (s.n + 127) / 128, k_scales, 4},
          {"A FP8 copy", s.m, s.k, 1},
          {"A FP8 copy scales (k/128 x m, FP32)", k_scales, s.m, 4}};
}

// Work units are cluster tiles of one M x N grid, in DeepGEMM's swizzled
// order; a cluster's CTAs take cluster_m x cluster_n adjacent blocks (rank
// M-fastest). A CTA whose block lies past the edge of D still runs the main
// loop (the TMA fills its out-of-bounds boxes with zeros and moves nothing) and
// loads its share of the tiles it shares, as CUTLASS's clustered kernels do.
struct GemmEmitter {
  GemmTileProgram tiles;
  GemmTiles t;
  std::int64_t m_units = 0, n_groups = 0, swizzle = kGemmSwizzleGroup;

  void operator()(int role, std::int64_t unit, std::int64_t seq, int rank, OpList& out) const {
    const auto [mu, nu] = swizzled_unit(unit, m_units, n_groups, swizzle);
    const int rm = rank % t.cluster_m, rn = rank / t.cluster_m;
    const std::int64_t mb = mu * t.cluster_m + rm;
    const std::int64_t nb = nu * t.cluster_n + rn;
    GemmTile tile;
    tile.row0 = mb * t.block_m;
    tile.rows = t.block_m;  // the TMA clips a box at the tensor's edge
    tile.n0 = tile.b_row0 = nb * t.block_n;
    tile.sfb_row0 = tile.n0 / 128;
    tile.first_n = nb == 0;
    tile.a_multicast = t.cluster_n;  // the CTAs of one M block row share its A tile
    tile.a_rank = rn;
    tile.b_multicast = t.cluster_m;
    tile.b_rank = rm;
    tiles.emit(role, tile, seq, out);
  }
};

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const GemmRequest r = read_request(p);
  check_gemm_features(p, r.v, ctx.spec);
  const GemmTiles t = choose_gemm_tiles(r.s, ctx.spec.sm, ctx.sms, r.forced);
  GemmEmitter e{GemmTileProgram(r, t, ctx.spec), t};
  const std::int64_t m_blocks = (r.s.m + t.block_m - 1) / t.block_m;
  const std::int64_t n_blocks = (r.s.n + t.block_n - 1) / t.block_n;
  // Work units are cluster tiles (the last row or column of them may reach past D).
  e.m_units = (m_blocks + t.cluster_m - 1) / t.cluster_m;
  e.n_groups = (n_blocks + t.cluster_n - 1) / t.cluster_n;
  e.swizzle = gemm_swizzle_group(r, t, ctx.spec);
  KernelProgram k;
  describe_gemm_launch(k, "gemm", r, t, e.m_units * e.n_groups, ctx,
                       {{"operand_major", r.v.mn_major ? "mn (re-scaled by the TMA)" : "k"},
                        {"accumulate", r.accumulate ? "D += A B (epilogue reads D)" : "D = A B"}});
  k.tensors = tensors(r);
  k.flops = 2.0 * static_cast<double>(r.s.m) * static_cast<double>(r.s.n) * static_cast<double>(r.s.k);
  k.emit = e;
  return k;
}

// Compulsory work: each operand and its scales read once, D written once
// (and read once when accumulating); the roofline's yardstick.
KernelWork work(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const GemmRequest r = read_request(p);
  return gemm_work(r, static_cast<double>(r.s.m), 1);
}

}  // namespace

KernelDef gemm_kernel() {
  return {"gemm",
          "cuBLASLt Hopper warp-specialised persistent GEMM (BF16, FP8 per-tensor) / DeepGEMM FP8 block-scaled GEMM",
          kParams,
          build,
          work,
          {{"m", 4096},
           {"n", 7168},
           {"k", 2048},
           {"a_dtype", "fp8_e4m3"},
           {"b_dtype", "fp8_e4m3"},
           {"out_dtype", "bf16"},
           {"scaling", "block_1x128_128x128"}}};
}

}  // namespace hwsim::kernels
