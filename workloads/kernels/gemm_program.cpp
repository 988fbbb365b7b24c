#include "workloads/kernels/gemm_program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "models/sm/tensor_core.hpp"

namespace hwsim::kernels {

using namespace hwsim::sim;

namespace {

constexpr int kThreadsPerWarpGroup = 128;
constexpr int kWarpsPerWarpGroup = 4;
constexpr int kScaleBlock = 128;
constexpr int kPromotionTag = 0;
constexpr int kMaxTile = 512;        // bound on tile_m / tile_n (wgmma covers at most 2 x 256 rows a CTA)
constexpr int kMaxClusterSide = 16;  // bound on cluster_m / cluster_n (the spec's cluster limit applies too)  //
                                     // KernelProgram::op_tags index of the promotion FFMAs

// Reads the proposal params and their rules among the params.
GemmVariant read_variant(const ParamReader& p, bool block, bool operand_major) {
  GemmVariant v;
  const std::string a_source = p.choice("a_source");
  v.a_cast = a_source == "bf16_tma_cast"           ? DataPath::kTmaCast
             : a_source == "bf16_near_memory_cast" ? DataPath::kNearMemoryCast
                                                   : DataPath::kDirect;
  v.a_fp8_copy = p.flag("write_a_fp8_copy");
  v.group_scaled = p.choice("promotion") == "tensor_core";
  v.mn_major = operand_major && p.choice("operand_major") == "mn";
  auto need = [&](bool ok, const std::string& what, const std::string& feature) {
    if (!ok) p.fail(what, fmt::format("needs {}", feature));
  };
  if (a_source != "fp8")
    need(block, "a_source = " + a_source, "scaling = block_1x128_128x128 (the cast produces 1x128 scales)");
  if (v.a_fp8_copy)
    need(v.a_cast == DataPath::kTmaCast, "write_a_fp8_copy = true",
         "a_source = bf16_tma_cast (it stores the cast tile)");
  if (v.group_scaled)
    need(block, "promotion = tensor_core", "scaling = block_1x128_128x128 (group scaling needs group scales)");
  if (v.mn_major)
    need(block, "operand_major = mn", "scaling = block_1x128_128x128 (the TMA re-scales 1x128 groups to 128x1)");
  return v;
}

// N, K, dtypes and scaling; the scaling rules of V3 3.3.2.
GemmShape read_operands(const ParamReader& p, std::int64_t m, bool& fast_accum) {
  GemmShape s{};
  s.m = m;
  s.n = p.positive("n");
  s.k = p.positive("k");
  s.ab = p.dtype("a_dtype");
  const DataType b = p.dtype("b_dtype");
  s.out = p.dtype("out_dtype");
  if (s.ab != DataType::kBf16 && s.ab != DataType::kFp8E4M3) p.fail("a_dtype", "must be bf16 or fp8_e4m3");
  if (b != s.ab) p.fail("b_dtype", fmt::format("= {} must equal a_dtype ({})", to_string(b), to_string(s.ab)));
  if (s.out != DataType::kBf16 && s.out != DataType::kFp32) p.fail("out_dtype", "must be bf16 or fp32");
  const std::string scaling = p.choice("scaling");
  if (s.ab != DataType::kFp8E4M3 && scaling != "none")
    p.fail("scaling", fmt::format("= {} applies to fp8_e4m3 inputs only; bf16 takes none", scaling));
  // 1x128 x 1x128: both operands carry a scale per row and 128 of K (a weight
  // gradient dW = dy^T x reduces over tokens, and both dy and x are quantized
  // along tokens for it, V3 3.3.2 / Fig. 7); promotion multiplies by both.
  s.b_row_scales = scaling == "block_1x128_1x128";
  s.scaling = scaling == "block_1x128_128x128" || s.b_row_scales ? GemmScaling::kBlock1x128x128
              : scaling == "per_tensor"                          ? GemmScaling::kPerTensor
              : scaling == "rowwise"                             ? GemmScaling::kRowwise
                                                                 : GemmScaling::kNone;
  fast_accum = p.flag("fast_accum");
  if (s.scaling == GemmScaling::kBlock1x128x128) {
    if (s.k % kScaleBlock != 0)
      p.fail("k", fmt::format("= {} must be a multiple of 128 for block_1x128_128x128 scaling", s.k));
    if (fast_accum)
      p.fail("fast_accum", "must be false with block_1x128_128x128 scaling (promotion is the point of it)");
  }
  if ((s.k * bytes_of(s.ab)) % 16 != 0)
    p.fail("k", fmt::format("= {}: rows of A and B must be multiples of 16 bytes (TMA)", s.k));
  return s;
}

// Which operand tiles the cluster's CTAs share.
std::string multicast_note(const GemmTiles& t) {
  if (t.cluster() == 1) return "none";
  std::string note;
  if (t.cluster_n > 1) note = fmt::format("A across {} CTAs", t.cluster_n);
  if (t.cluster_m > 1) note += fmt::format("{}B across {} CTAs", note.empty() ? "" : ", ", t.cluster_m);
  return note;
}

}  // namespace

std::vector<KernelParam> gemm_operand_params() {
  return {{"n", "integer > 0", "", "elements", "rows of B, columns of D (output features)", {}},
          {"k", "integer > 0", "", "elements", "the reduction dimension", {}},
          {"a_dtype", "dtype", "", "", "A's element type: bf16 or fp8_e4m3", {}},
          {"b_dtype", "dtype", "", "", "B's element type, equal to a_dtype", {}}};
}

std::vector<KernelParam> gemm_tuning_params() {
  return {{"fast_accum", "flag", "false", "", "FP8 accumulation without promotion (cuBLASLt fast accumulation)", {}},
          {"tile_m",
           "integer > 0",
           "auto",
           "elements",
           "BLOCK_M, a multiple of 8 up to 512; tile_m or tile_n a multiple of 64 (auto: the tile heuristic)",
           {}},
          {"tile_n",
           "integer > 0",
           "auto",
           "elements",
           "BLOCK_N, a multiple of 8 up to 512 (auto: the tile heuristic)",
           {}}};
}

std::vector<KernelParam> gemm_cluster_params() {
  return {{"cluster_m",
           "integer > 0",
           "auto",
           "CTAs",
           "CTAs of a cluster along M, sharing the B tile by TMA multicast (auto: 2-CTA clusters when M >= 1024)",
           {}},
          {"cluster_n", "integer > 0", "auto", "CTAs", "CTAs of a cluster along N, sharing the A tile", {}}};
}

std::vector<KernelParam> gemm_proposal_params(bool operand_major) {
  std::vector<KernelParam> params = {
      {"a_source",
       "choice",
       "fp8",
       "",
       "how A reaches shared memory: FP8 as stored, BF16 cast by the TMA, or BF16 cast beside the HBM (proposals)",
       {"fp8", "bf16_tma_cast", "bf16_near_memory_cast"}},
      {"promotion",
       "choice",
       "cuda_core",
       "",
       "where block-scaled partial sums are scaled and accumulated (tensor_core: group-scaled MMA proposal)",
       {"cuda_core", "tensor_core"}}};
  if (operand_major) {
    params.push_back({"operand_major",
                      "choice",
                      "k",
                      "",
                      "operand layout: K-major, or token-major re-scaled by the TMA (transposed GEMM proposal)",
                      {"k", "mn"}});
  }
  params.push_back(
      {"write_a_fp8_copy", "flag", "false", "", "also store the TMA-cast FP8 A for the backward (fused cast)", {}});
  return params;
}

GemmRequest read_gemm_request(const ParamReader& p, std::int64_t m, bool operand_major) {
  GemmRequest r;
  bool fast_accum = false;
  r.s = read_operands(p, m, fast_accum);
  GemmShape& s = r.s;
  r.v = read_variant(p, s.scaling == GemmScaling::kBlock1x128x128, operand_major);
  // FP8 accumulates in ~14-bit registers unless promoted (V3 3.3.2); BF16
  // accumulates in FP32; group-scaled MMA promotes inside the tensor core.
  s.promote = s.ab == DataType::kFp8E4M3 && !fast_accum && !r.v.group_scaled;
  const std::int64_t fm = p.positive_or("tile_m", 0), fn = p.positive_or("tile_n", 0);
  const bool promoted_block = s.scaling == GemmScaling::kBlock1x128x128 && s.promote;
  if (fm % 8 != 0 || fm > kMaxTile) p.fail("tile_m", fmt::format("must be a multiple of 8 up to {}", kMaxTile));
  if (fn % 8 != 0 || fn > kMaxTile) p.fail("tile_n", fmt::format("must be a multiple of 8 up to {}", kMaxTile));
  r.forced.block_m = static_cast<int>(fm);
  r.forced.block_n = static_cast<int>(fn);
  if (fn > 128 && promoted_block) p.fail("tile_n", "must be at most 128 with block scaling promoted on the CUDA cores");
  if (fn != 0 && !promoted_block && fn % 16 != 0) p.fail("tile_n", "must be a multiple of 16");
  return r;
}

void read_gemm_cluster(const ParamReader& p, GemmRequest& r) {
  for (const char* key : {"cluster_m", "cluster_n"}) {
    const std::int64_t c = p.positive_or(key, 0);
    if (c > kMaxClusterSide) p.fail(key, fmt::format("must be at most {}", kMaxClusterSide));
    (std::string(key) == "cluster_m" ? r.forced.cluster_m : r.forced.cluster_n) = static_cast<int>(c);
  }
}

void check_gemm_features(const ParamReader& p, const GemmVariant& v, const HardwareSpec& spec) {
  if (v.group_scaled && !spec.tensor_core.group_scaled_mma)
    p.fail("promotion = tensor_core",
           "needs tensor_core.group_scaled_mma = true (apply the group_scaled_mma spec delta)");
  if (v.mn_major && !spec.tensor_core.transposed_fp8_operands)
    p.fail("operand_major = mn",
           "needs tensor_core.transposed_fp8_operands = true (apply the transposed_gemm spec delta)");
}

KernelWork gemm_work(const GemmRequest& r, double m, double b_matrices) {
  const double n = static_cast<double>(r.s.n), k = static_cast<double>(r.s.k);
  const int a = bytes_of(r.s.ab), b = a, o = bytes_of(r.s.out);  // b_dtype == a_dtype (read_operands)
  KernelWork w;
  w.flops = 2 * m * n * k;
  w.tensor = true;
  w.mma_type = r.s.ab;
  const bool block = r.s.scaling == GemmScaling::kBlock1x128x128, b_rows = r.s.b_row_scales;
  const bool rowwise = r.s.scaling == GemmScaling::kRowwise;  // one FP32 scale per row of A and of each B
  const double a_scales = block ? m * k / 128 * 4 : (rowwise ? m * 4 : 0);
  const double b_scales = b_rows    ? b_matrices * n * k / 128 * 4
                          : block   ? b_matrices * n * k / 16384 * 4
                          : rowwise ? b_matrices * n * 4
                                    : 0;
  w.read_bytes = m * k * a + a_scales + b_matrices * n * k * b + b_scales;
  w.write_bytes = m * n * o;
  if (r.accumulate) w.read_bytes += m * n * o;  // D += A B reads D
  if (r.v.a_cast == DataPath::kTmaCast) {
    w.read_bytes += m * k * (2 - a) - a_scales;  // BF16 A instead of FP8 + scales
    w.tma_cast_bytes = m * k * 2;
  } else if (r.v.a_cast == DataPath::kNearMemoryCast) {
    w.near_memory_bytes = m * k * 2;  // off-chip traffic stays FP8 + scales
  }
  if (r.v.a_fp8_copy) w.write_bytes += m * k + m * k / 128 * 4;
  w.group_scaled = r.v.group_scaled;
  if (r.v.mn_major) {
    w.transposed_operands = true;
    w.tma_cast_bytes = m * k + b_matrices * n * k;  // the TMA re-scales both operands to 128x1 tiles
  }
  return w;
}

void describe_gemm_launch(KernelProgram& k, const std::string& name, const GemmRequest& r, const GemmTiles& t,
                          std::int64_t work_units, const KernelContext& ctx,
                          const std::vector<std::pair<std::string, std::string>>& extra_notes) {
  const GemmShape& s = r.s;
  const GemmVariant& v = r.v;
  const int S = t.stages;
  k.name = name;
  k.cluster_size = t.cluster();
  k.persistent = true;
  k.work_units = work_units;
  const std::int64_t cluster_slots = ctx.sms / t.cluster();
  k.ctas = std::min(k.work_units, cluster_slots) * t.cluster();
  k.roles.push_back({"producer", kWarpsPerWarpGroup});
  for (int w = 0; w < t.math_wgs; ++w) k.roles.push_back({fmt::format("math{}", w), kWarpsPerWarpGroup});
  const int threads = kThreadsPerWarpGroup * static_cast<int>(k.roles.size());
  // Warp-specialised kernels take the whole register file (setmaxnreg
  // rebalances it between producer and math warp groups).
  const int regs = std::min(ctx.spec.sm.max_registers_per_thread, ctx.spec.sm.registers / threads / 8 * 8);
  k.resources = {threads, regs, t.smem_bytes};
  k.barriers = 2 * S;  // full[0..S), empty[S..2S)
  for (int i = 0; i < S; ++i) k.barrier_arrivals.push_back(1);
  for (int i = 0; i < S; ++i) k.barrier_arrivals.push_back(t.math_wgs);
  k.op_tags = {"promotion_ffma"};
  k.notes = {
      {"block_m", std::to_string(t.block_m)},
      {"block_n", std::to_string(t.block_n)},
      {"block_k", std::to_string(t.block_k)},
      {"stages", std::to_string(S)},
      {"math_warpgroups", std::to_string(t.math_wgs)},
      {"promotion", s.promote ? "every 128 K on CUDA cores" : (v.group_scaled ? "inside the tensor core" : "none")},
      {"a_source", v.a_cast == DataPath::kTmaCast          ? "BF16 through the TMA cast"
                   : v.a_cast == DataPath::kNearMemoryCast ? "BF16 cast near memory"
                                                           : "FP8"}};
  k.notes.insert(k.notes.end(), extra_notes.begin(), extra_notes.end());
  k.notes.emplace_back("tiles", std::to_string(t.tiles));
  k.notes.emplace_back("cluster", fmt::format("{}x{} (M x N)", t.cluster_m, t.cluster_n));
  k.notes.emplace_back("multicast", multicast_note(t));
  k.notes.emplace_back("wgmma", fmt::format("{} x m64n{} per warp group", t.layout.wgmmas, t.layout.wgmma_n));
}

std::pair<std::int64_t, std::int64_t> swizzled_unit(std::int64_t unit, std::int64_t m_units, std::int64_t n_units,
                                                    std::int64_t swizzle) {
  const std::int64_t per_group = n_units * swizzle;
  const std::int64_t group = unit / per_group;
  const std::int64_t first_m = group * swizzle;
  const std::int64_t m_in_group = std::min<std::int64_t>(swizzle, m_units - first_m);
  const std::int64_t in_group = unit % per_group;
  return {first_m + in_group % m_in_group, in_group / m_in_group};
}

std::int64_t gemm_swizzle_group(const GemmRequest& r, const GemmTiles& t, const HardwareSpec& spec) {
  // The swizzle group keeps a panel of A (16 M blocks x K) resident in L2
  // while the N blocks stream past it. A BF16 A panel is twice as large; the
  // casting variant shrinks the group so the panel still fits in half of L2
  // (the same tuning rule, applied to the bytes it actually loads).
  if (r.v.a_cast != DataPath::kTmaCast) return kGemmSwizzleGroup;
  const std::int64_t panel = static_cast<std::int64_t>(t.block_m) * t.cluster_m * r.s.k * 2;
  return std::clamp<std::int64_t>(spec.l2.size_bytes / 2 / panel, 1, kGemmSwizzleGroup);
}

GemmTileProgram::GemmTileProgram(const GemmRequest& r, const GemmTiles& t, const HardwareSpec& spec)
    : s_(r.s),
      v_(r.v),
      t_(t),
      accumulate_(r.accumulate),
      k_blocks_((r.s.k + t.block_k - 1) / t.block_k),
      scale_cycles_(static_cast<int>(std::lround(spec.tensor_core.group_scale_cycles))),
      a_path_(r.v.mn_major ? DataPath::kTmaCast : r.v.a_cast),
      b_path_(r.v.mn_major ? DataPath::kTmaCast : DataPath::kDirect) {}

void GemmTileProgram::emit(int role, const GemmTile& tile, std::int64_t seq, OpList& out) const {
  if (role == 0)
    producer(tile, seq, out);
  else  // Math warp group: rows [row0 + 64 (role-1), +64).
    math(tile, role - 1, seq, out);
}

Op GemmTileProgram::operand_box(int tensor, std::int64_t r0, std::int64_t kb, std::int64_t rows, int st, int mc,
                                int rank) const {
  Op o = v_.mn_major ? tma_load(tensor, kb * t_.block_k, r0, t_.block_k, rows, st, mc)
                     : tma_load(tensor, r0, kb * t_.block_k, rows, t_.block_k, st, mc);
  o.multicast_rank = static_cast<std::uint8_t>(rank);
  return o;
}

// The TMA producer fills the stage ring.
void GemmTileProgram::producer(const GemmTile& tile, std::int64_t seq, OpList& out) const {
  const int S = t_.stages;
  for (std::int64_t kb = 0; kb < k_blocks_; ++kb) {
    const std::int64_t g = seq * k_blocks_ + kb;
    const int st = static_cast<int>(g % S);
    out.push_back(barrier_wait(S + st, g / S));
    out.push_back(via(operand_box(kTensorA, tile.row0, kb, tile.rows, st, tile.a_multicast, tile.a_rank), a_path_));
    out.push_back(via(operand_box(kTensorB, tile.b_row0, kb, t_.block_n, st, tile.b_multicast, tile.b_rank), b_path_));
    // The cast unit computes A's scales itself.
    if (block() && v_.a_cast != DataPath::kTmaCast)
      out.push_back(tma_load(kTensorSfa, kb * t_.block_k / kScaleBlock, tile.row0, 1, tile.rows, st));
    if (s_.b_row_scales) out.push_back(tma_load(kTensorSfb, kb * t_.block_k / kScaleBlock, tile.n0, 1, t_.block_n, st));
    out.push_back(barrier_arrive(st));
  }
}

GemmTileProgram::Slice GemmTileProgram::slice(const GemmTile& tile, int wg) const {
  const GemmWarpLayout& l = t_.layout;
  // The rows of a group's last M block may be ragged: the wgmma computes the
  // whole slice, the stores move the rows that belong to the tile.
  const std::int64_t r_off = l.split_rows ? static_cast<std::int64_t>(l.wg_rows) * wg : 0;
  const std::int64_t c_off = l.split_rows ? 0 : static_cast<std::int64_t>(l.wg_cols) * wg;
  return {tile.row0 + r_off, std::clamp<std::int64_t>(tile.rows - r_off, 0, l.wg_rows), tile.n0 + c_off, l.wg_cols};
}

void GemmTileProgram::math(const GemmTile& tile, int wg, std::int64_t seq, OpList& out) const {
  const int S = t_.stages;
  const GemmWarpLayout& l = t_.layout;
  const Slice sl = slice(tile, wg);
  const bool b_rows = s_.b_row_scales;
  if (block() && !b_rows)
    out.push_back(ld_global_box(kTensorSfb, tile.sfb_row0, 0, 1, k_blocks_ * t_.block_k / kScaleBlock));
  const std::int64_t acc = static_cast<std::int64_t>(l.wg_rows) * l.wg_cols;  // accumulator elements of this WG
  // The CTAs of the first N tile store this warp group's rows of the cast A
  // (FP8 + 1x128 scales) from shared memory before releasing each stage.
  const bool store_copy = v_.a_fp8_copy && tile.first_n && sl.rows > 0 && sl.n0 == tile.n0;
  const int wgmmas = t_.block_k / wgmma_k(s_.ab) * l.wgmmas;
  for (std::int64_t kb = 0; kb < k_blocks_; ++kb) {
    const std::int64_t g = seq * k_blocks_ + kb;
    const int st = static_cast<int>(g % S);
    out.push_back(barrier_wait(st, g / S + 1));
    if (store_copy) {
      out.push_back(tma_store(kTensorAcopy, sl.row0, kb * t_.block_k, sl.rows, t_.block_k));
      out.push_back(tma_store(kTensorAcopyScales, kb * t_.block_k / kScaleBlock, sl.row0, 1, sl.rows));
    }
    out.push_back(with_extra_cycles(wgmma(s_.ab, l.wgmma_n, wgmmas), v_.group_scaled ? scale_cycles_ : 0));
    if (store_copy) out.push_back(tma_store_wait());  // the copy has left the stage
    if (s_.promote) {
      out.push_back(wgmma_wait(0));
      out.push_back(barrier_arrive(S + st));
      // final += accum (* scale_a[row] * scale_b): one FFMA (or FADD) per
      // accumulator element, plus the row scales read from shared memory.
      // With per-row B scales each element takes its own sa[row] * sb[col]:
      // one more multiply per element and the stage's B scales to read.
      if (block()) out.push_back(ld_shared(l.wg_rows * 4 + (b_rows ? l.wg_cols * 4 : 0)));
      out.push_back(tagged(cuda_core_ops((b_rows ? 2 * acc : acc) + (block() ? l.wg_rows : 0)), kPromotionTag));
    } else {
      out.push_back(wgmma_wait(1));
      if (kb > 0) out.push_back(barrier_arrive(S + static_cast<int>((g - 1) % S)));
    }
  }
  if (!s_.promote) {
    out.push_back(wgmma_wait(0));
    out.push_back(barrier_arrive(S + static_cast<int>((seq * k_blocks_ + k_blocks_ - 1) % S)));
  }
  epilogue(tile, sl, acc, out);
}

// (Read D's tile to add to it,) scale/convert (one op per element), stage
// D, TMA store.
void GemmTileProgram::epilogue(const GemmTile& tile, const Slice& sl, std::int64_t acc, OpList& out) const {
  if (accumulate_) out.push_back(ld_global_box(kTensorD, sl.row0, sl.n0, sl.rows, sl.cols));
  // Row-wise scaling (torch._scaled_grouped_mm): the epilogue reads the FP32
  // scale of each of its rows of A and of each of its columns of B and
  // multiplies every element by both (one more multiply than per-tensor's
  // single scale, which folds into the conversion).
  const bool rowwise = s_.scaling == GemmScaling::kRowwise;
  if (rowwise && sl.rows > 0) {
    out.push_back(ld_global_box(kTensorSfa, 0, sl.row0, 1, sl.rows));
    out.push_back(ld_global_box(kTensorSfb, tile.sfb_row0, sl.n0, 1, sl.cols));
  }
  out.push_back(cuda_core_ops((accumulate_ ? 2 * acc : acc) + (rowwise ? acc : 0)));
  out.push_back(tma_store_wait());
  out.push_back(st_shared(acc * bytes_of(s_.out)));
  // A warp group whose rows all lie past its group's end has nothing to store.
  if (sl.rows > 0) out.push_back(tma_store(kTensorD, sl.row0, sl.n0, sl.rows, sl.cols));
}

}  // namespace hwsim::kernels
