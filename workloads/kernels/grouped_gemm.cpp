// grouped_gemm: D_g = A_g B_g^T for groups g = 0..G-1 in one launch, A_g of
// rows_g x k, each group with its own B_g of n x k (an MoE layer's experts),
// both K-major.
//
// Stands for: DeepGEMM's m-grouped FP8 GEMMs (contiguous and masked layouts,
// REFERENCE C2) and PyTorch's torch._grouped_mm (BF16) and
// torch._scaled_grouped_mm (FP8, row-wise scales) with group offsets. The
// program is gemm's (gemm_program.hpp: persistent grid, TMA producer and math
// warp groups, stage ring, promotion, epilogue); what is grouped is the work
// list, which is the union of every group's output tiles:
// - Tiles never straddle a group: a group of rows_g rows has
//   ceil(rows_g / BLOCK_M) M blocks, and a ragged last block computes all
//   BLOCK_M rows (the wgmma is m64 per warp group) while its TMA boxes and
//   stores move only the group's rows (a per-group tensor map clips them, as
//   TMA clips at a tensor's edge).
// - Each tile's B box comes from its group's B (B is [G x n, k]; DeepGEMM's
//   scheduler offsets the N index by group x n).
// - contiguous: A and D hold the groups' rows back to back; the M blocks of
//   all groups form one list that DeepGEMM's swizzled scheduler walks like one
//   GEMM's (GroupedContiguousScheduler). Two CTAs of a cluster that share a B
//   tile (multicast along M) each load their own when their M blocks belong to
//   different groups (DeepGEMM's is_tma_multicast_valid).
// - masked: group g owns rows [g x max_rows, +max_rows) of A and D, of which
//   its first rows_g are valid. The scheduler walks the groups and takes only
//   the M blocks up to the valid rows, swizzled within each group
//   (GroupedMaskedScheduler); tiles past a group's valid rows are skipped, not
//   run. The valid rows live on the device (the masked layout serves CUDA
//   graphs), so the launch cannot pair M blocks of one group: no multicast.
// Tile sizes come from gemm's heuristic applied to M = the total valid rows,
// except for row-wise FP8 scaling, which only torch._scaled_grouped_mm runs:
// its CUTLASS kernel's own dispatch (torch_rowwise_config below).
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "workloads/kernels/gemm_program.hpp"
#include "workloads/kernels/kernels.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

std::vector<KernelParam> declare_params() {
  std::vector<KernelParam> params = {
      {"groups", "integer > 0", "", "", "groups (experts), each with its own B and its own rows of A and D", {}},
      {"m_per_group",
       "integer > 0",
       "",
       "elements",
       "rows of every group when all are equal (give exactly one of m_per_group and group_rows)",
       {}},
      {"group_rows",
       "integer list",
       "",
       "elements",
       "rows of each group, comma-separated, e.g. 512,1024,384,2048 (give exactly one of m_per_group and group_rows)",
       {}},
      {"layout",
       "choice",
       "contiguous",
       "",
       "contiguous: the groups' rows back to back (DeepGEMM m_grouped contiguous, torch._grouped_mm with offsets); "
       "masked: max_rows rows per group of which the group's rows are valid (DeepGEMM masked)",
       {"contiguous", "masked"}},
      {"max_rows", "integer > 0", "", "elements", "masked layout only: the rows each group holds (its capacity)", {}}};
  for (auto& p : gemm_operand_params()) params.push_back(std::move(p));
  params.push_back({"out_dtype", "dtype", "bf16", "", "D's element type: bf16 or fp32", {}});
  params.push_back({"scaling",
                    "choice",
                    "none",
                    "",
                    "FP8 scaling (bf16 takes none): per_tensor, rowwise (a scale per row of A and of each B, "
                    "torch._scaled_grouped_mm) or DeepSeek-V3's 1x128 activations x 128x128 weights",
                    {"none", "per_tensor", "rowwise", "block_1x128_128x128"}});
  for (auto& p : gemm_tuning_params()) params.push_back(std::move(p));
  for (auto& p : gemm_cluster_params()) params.push_back(std::move(p));
  for (auto& p : gemm_proposal_params(/*operand_major=*/false)) params.push_back(std::move(p));
  return params;
}

const std::vector<KernelParam> kParams = declare_params();

struct GroupedRequest {
  GemmRequest g;
  std::vector<std::int64_t> rows;  // valid rows of each group
  bool masked = false;
  std::int64_t max_rows = 0;  // masked: rows each group holds
  std::int64_t total_rows() const { return std::accumulate(rows.begin(), rows.end(), std::int64_t{0}); }
  // Rows of A and D as stored.
  std::int64_t stored_rows() const { return masked ? max_rows * static_cast<std::int64_t>(rows.size()) : total_rows(); }
};

GroupedRequest read_request(const ParamReader& p) {
  GroupedRequest r;
  const std::int64_t groups = p.positive("groups");
  const bool per_group = p.given("m_per_group"), listed = p.given("group_rows");
  if (per_group && listed)
    p.fail("m_per_group", "and group_rows are both given; give exactly one (rows of every group, or of each)");
  if (!per_group && !listed)
    p.fail("m_per_group", "is required unless group_rows is given (exactly one of m_per_group, group_rows)");
  if (per_group) {
    r.rows.assign(static_cast<size_t>(groups), p.positive("m_per_group"));
  } else {
    r.rows = p.integer_list("group_rows");
    if (static_cast<std::int64_t>(r.rows.size()) != groups)
      p.fail("group_rows", fmt::format("lists {} groups' rows but groups = {}", r.rows.size(), groups));
    if (r.total_rows() == 0) p.fail("group_rows", "must give some group at least one row");
  }
  r.masked = p.choice("layout") == "masked";
  if (r.masked) {
    if (!p.given("max_rows")) p.fail("max_rows", "is required with layout = masked (the rows each group holds)");
    r.max_rows = p.positive("max_rows");
    const std::int64_t most = *std::max_element(r.rows.begin(), r.rows.end());
    if (r.max_rows < most)
      p.fail("max_rows",
             fmt::format("= {} is less than a group's {} rows; it must hold every group's rows", r.max_rows, most));
  } else if (p.given("max_rows")) {
    p.fail("max_rows", "applies to layout = masked only");
  }
  r.g = read_gemm_request(p, r.total_rows(), /*operand_major=*/false);
  read_gemm_cluster(p, r.g);
  // A cluster pairs two consecutive M blocks at most (GroupedEmitter shares B
  // only between a block and its partner, mb ^ 1).
  if (r.g.forced.cluster_m > 2) p.fail("cluster_m", "must be 1 or 2 for a grouped GEMM");
  if (r.masked && (r.g.forced.cluster_m > 1 || r.g.forced.cluster_n > 1))
    p.fail("cluster_m", "and cluster_n must be 1 with layout = masked (its launch has no clusters)");
  // Grouped FP8 GEMMs always carry scales; BF16 never does (read_gemm_request
  // checks the second).
  if (r.g.s.ab == DataType::kFp8E4M3 && r.g.s.scaling == GemmScaling::kNone)
    p.fail("scaling", "= none applies to bf16 inputs only; fp8_e4m3 takes per_tensor, rowwise or block_1x128_128x128");
  return r;
}

// torch._scaled_grouped_mm on sm_90 launches a CUTLASS pointer-array grouped
// GEMM whose tile PyTorch picks from the average group's shape
// (aten/src/ATen/native/cuda/ScaledGroupMM.cu, dispatch on tile size; M =
// rows / groups): 64x128 (ping-pong) when M or N <= 128; for a large problem
// (two of M, N, K >= 2048) 256x128 with fast accumulation and 128x128
// without ("to avoid spilling": promotion keeps a second accumulator);
// 128x256 otherwise. The cluster is always 2x2. What is given (tile_m,
// tile_n, cluster_m, cluster_n) wins. Approximations: the 128x256 tile's BLOCK_K of 64 runs as the
// FP8 BLOCK_K of 128, and the ping-pong schedule as the cooperative one.
GemmForced torch_rowwise_config(const GroupedRequest& r) {
  GemmForced f = r.g.forced;
  if (f.cluster_m == 0 && f.cluster_n == 0) f.cluster_m = f.cluster_n = 2;
  const std::int64_t m = r.total_rows() / static_cast<std::int64_t>(r.rows.size()), n = r.g.s.n, k = r.g.s.k;
  const bool small = m <= 128 || n <= 128;
  const bool large = (m >= 2048 && k >= 2048) || (m >= 2048 && n >= 2048) || (k >= 2048 && n >= 2048);
  const bool fast = !r.g.s.promote;
  const int bm = small ? 64 : (large && fast ? 256 : 128);
  const int bn = small || large ? 128 : 256;
  if (f.block_m == 0) f.block_m = bm;
  if (f.block_n == 0) f.block_n = bn;
  return f;
}

// One M block of one group: where its rows lie in A and D.
struct MBlock {
  std::int64_t group;
  std::int64_t row0;
  std::int64_t rows;
};

std::vector<MBlock> m_blocks(const GroupedRequest& r, int block_m) {
  std::vector<MBlock> out;
  std::int64_t offset = 0;
  for (size_t g = 0; g < r.rows.size(); ++g) {
    const std::int64_t first = r.masked ? static_cast<std::int64_t>(g) * r.max_rows : offset;
    for (std::int64_t row = 0; row < r.rows[g]; row += block_m)
      out.push_back({static_cast<std::int64_t>(g), first + row, std::min<std::int64_t>(block_m, r.rows[g] - row)});
    offset += r.rows[g];
  }
  return out;
}

// The grouped scheduler: work unit -> (M block, N block) for each CTA of a
// cluster, then the tile in the launch's tensors.
struct GroupedEmitter {
  GemmTileProgram tiles;
  GemmTiles t;
  std::shared_ptr<const std::vector<MBlock>> blocks;
  std::int64_t n = 0;         // columns of D, rows of each group's B
  std::int64_t n_blocks = 0;  // N blocks of D
  std::int64_t m_units = 0, n_units = 0, swizzle = kGemmSwizzleGroup;
  bool masked = false;
  bool block_scaled = false;  // B scales in 128x128 blocks (else one per row of B, or none)
  // Masked layout: each group's first work unit and first M block (the
  // scheduler walks the groups; a last entry closes the list).
  std::shared_ptr<const std::vector<std::int64_t>> group_first_unit{}, group_first_block{};

  void operator()(int role, std::int64_t unit, std::int64_t seq, int rank, OpList& out) const {
    std::int64_t mb = 0, nb = 0;
    if (masked) {  // one CTA per cluster (no multicast)
      const auto& first = *group_first_unit;
      const auto g = static_cast<size_t>(std::upper_bound(first.begin(), first.end(), unit) - first.begin() - 1);
      const std::int64_t group_blocks = (*group_first_block)[g + 1] - (*group_first_block)[g];
      const auto [mu, nu] = swizzled_unit(unit - first[g], group_blocks, n_blocks, swizzle);
      mb = (*group_first_block)[g] + mu;
      nb = nu;
    } else {
      const auto [mu, nu] = swizzled_unit(unit, m_units, n_units, swizzle);
      mb = mu * t.cluster_m + rank % t.cluster_m;
      nb = nu * t.cluster_n + rank / t.cluster_m;
    }
    const MBlock& b = (*blocks)[static_cast<size_t>(mb)];
    GemmTile tile;
    tile.row0 = b.row0;
    tile.rows = b.rows;
    tile.n0 = nb * t.block_n;
    tile.b_row0 = b.group * n + tile.n0;
    // 128x128 B scales: the group's (n/128 x k/128) block rows; row-wise: the group's row.
    tile.sfb_row0 = block_scaled ? b.group * ((n + 127) / 128) + tile.n0 / 128 : b.group;
    tile.first_n = nb == 0;
    tile.a_multicast = t.cluster_n;
    tile.a_rank = rank / t.cluster_m;
    // The partner CTA shares this B tile only when its M block is of the same group.
    const bool shared_b = t.cluster_m > 1 && (*blocks)[static_cast<size_t>(mb ^ 1)].group == b.group;
    tile.b_multicast = shared_b ? t.cluster_m : 1;
    tile.b_rank = shared_b ? rank % t.cluster_m : 0;
    tiles.emit(role, tile, seq, out);
  }
};

std::vector<TensorDesc> tensors(const GroupedRequest& r) {
  const GemmShape& s = r.g.s;
  const std::int64_t rows = r.stored_rows(), groups = static_cast<std::int64_t>(r.rows.size());
  const int a_bytes = r.g.v.a_cast == DataPath::kTmaCast ? 2 : bytes_of(s.ab);
  const std::int64_t k_scales = (s.k + 127) / 128;
  const bool rowwise = s.scaling == GemmScaling::kRowwise;
  return {{"A (rows of every group)", rows, s.k, a_bytes},
          {"B (groups x n rows)", groups * s.n, s.k, bytes_of(s.ab)},
          {"D (rows of every group)", rows, s.n, bytes_of(s.out)},
          rowwise ? TensorDesc{"A row scales (FP32)", 1, rows, 4}
                  : TensorDesc{"A scales (k/128 x rows, FP32)", k_scales, rows, 4},
          rowwise ? TensorDesc{"B row scales (groups x n, FP32)", groups, s.n, 4}
                  : TensorDesc{"B scales (groups x n/128 x k/128, FP32)", groups * ((s.n + 127) / 128), k_scales, 4},
          {"A FP8 copy", rows, s.k, 1},
          {"A FP8 copy scales (k/128 x rows, FP32)", k_scales, rows, 4}};
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const GroupedRequest r = read_request(p);
  check_gemm_features(p, r.g.v, ctx.spec);
  const bool torch_rowwise = r.g.s.scaling == GemmScaling::kRowwise;
  GemmTiles t = choose_gemm_tiles(r.g.s, ctx.spec.sm, ctx.sms, torch_rowwise ? torch_rowwise_config(r) : r.g.forced,
                                  "grouped_gemm");
  auto blocks = std::make_shared<const std::vector<MBlock>>(m_blocks(r, t.block_m));
  const auto m_count = static_cast<std::int64_t>(blocks->size());
  const std::int64_t n_blocks = (r.g.s.n + t.block_n - 1) / t.block_n;
  // Clusters pair M blocks (B multicast) or N blocks (A multicast) only when
  // the list pairs up; the masked layout launches without clusters (see the
  // top of the file).
  if (r.masked) t.cluster_m = t.cluster_n = 1;
  if (t.cluster_m > 1 && m_count % t.cluster_m != 0) t.cluster_m = 1;
  if (t.cluster_n > 1 && n_blocks % t.cluster_n != 0) t.cluster_n = 1;
  t.tiles = m_count * n_blocks;
  GroupedEmitter e{GemmTileProgram(r.g, t, ctx.spec), t, blocks, r.g.s.n, n_blocks};
  e.masked = r.masked;
  e.block_scaled = r.g.s.scaling == GemmScaling::kBlock1x128x128;
  e.m_units = m_count / t.cluster_m;
  e.n_units = n_blocks / t.cluster_n;
  e.swizzle = gemm_swizzle_group(r.g, t, ctx.spec);
  if (r.masked) {
    std::vector<std::int64_t> first_unit = {0}, first_block = {0};
    for (std::int64_t rows : r.rows) {
      const std::int64_t group_blocks = (rows + t.block_m - 1) / t.block_m;
      first_block.push_back(first_block.back() + group_blocks);
      first_unit.push_back(first_unit.back() + group_blocks * n_blocks);
    }
    e.group_first_unit = std::make_shared<const std::vector<std::int64_t>>(std::move(first_unit));
    e.group_first_block = std::make_shared<const std::vector<std::int64_t>>(std::move(first_block));
  }
  KernelProgram k;
  describe_gemm_launch(k, "grouped_gemm", r.g, t, e.m_units * e.n_units, ctx,
                       {{"groups", std::to_string(r.rows.size())},
                        {"layout", r.masked ? fmt::format("masked ({} rows per group)", r.max_rows) : "contiguous"},
                        {"m_blocks", std::to_string(m_count)}});
  k.tensors = tensors(r);
  k.flops = 2.0 * static_cast<double>(r.total_rows()) * static_cast<double>(r.g.s.n) * static_cast<double>(r.g.s.k);
  k.emit = e;
  return k;
}

// Compulsory work: every group's valid rows of A (and their scales) read
// once, the B of every group that has rows once (an expert that received no
// tokens has no tiles, so its weights are never read), the valid rows of D
// written once.
KernelWork work(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const GroupedRequest r = read_request(p);
  const auto used = std::count_if(r.rows.begin(), r.rows.end(), [](std::int64_t rows) { return rows > 0; });
  return gemm_work(r.g, static_cast<double>(r.total_rows()), static_cast<double>(used));
}

}  // namespace

KernelDef grouped_gemm_kernel() {
  return {"grouped_gemm",
          "DeepGEMM m-grouped FP8 GEMM (contiguous / masked layouts) / torch._grouped_mm (BF16) and "
          "torch._scaled_grouped_mm (FP8 row-wise)",
          kParams,
          build,
          work,
          // DeepSeek-V3's routed experts' gate+up projection: 8 experts of 1024 tokens.
          {{"groups", 8},
           {"m_per_group", 1024},
           {"n", 4096},
           {"k", 7168},
           {"a_dtype", "fp8_e4m3"},
           {"b_dtype", "fp8_e4m3"},
           {"scaling", "block_1x128_128x128"}}};
}

}  // namespace hwsim::kernels
