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
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "models/sm/tensor_core.hpp"
#include "workloads/kernels/gemm_tiles.hpp"
#include "workloads/kernels/kernels.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreadsPerWarpGroup = 128;
constexpr int kWarpsPerWarpGroup = 4;
constexpr int kSwizzleGroup = 16;  // DeepGEMM kNum1DBlocksPerGroup: M blocks per scheduler group
constexpr int kScaleBlock = 128;
constexpr int kRows = 64;  // rows of one wgmma (m64)
enum Tensor { kA, kB, kD, kSfa, kSfb, kAcopy, kAcopyScales };
constexpr int kPromotionTag = 0;  // KernelProgram::op_tags index of the promotion FFMAs

const std::vector<KernelParam> kParams = {
    {"m", "integer > 0", "", "elements", "rows of A and D (tokens)", {}},
    {"n", "integer > 0", "", "elements", "rows of B, columns of D (output features)", {}},
    {"k", "integer > 0", "", "elements", "the reduction dimension", {}},
    {"a_dtype", "dtype", "", "", "A's element type: bf16 or fp8_e4m3", {}},
    {"b_dtype", "dtype", "", "", "B's element type, equal to a_dtype", {}},
    {"out_dtype", "dtype", "", "", "D's element type: bf16 or fp32", {}},
    {"scaling",
     "choice",
     "none",
     "",
     "FP8 scaling: per_tensor, DeepSeek-V3's 1x128 activations x 128x128 weights, or 1x128 x 1x128 (Wgrad)",
     {"none", "per_tensor", "block_1x128_128x128", "block_1x128_1x128"}},
    {"fast_accum", "flag", "false", "", "FP8 accumulation without promotion (cuBLASLt fast accumulation)", {}},
    {"tile_m", "integer > 0", "auto", "elements", "BLOCK_M, 64 or 128 (auto: the tile heuristic)", {}},
    {"tile_n", "integer > 0", "auto", "elements", "BLOCK_N, a multiple of 8 up to 256 (auto: the tile heuristic)", {}},
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
     {"cuda_core", "tensor_core"}},
    {"operand_major",
     "choice",
     "k",
     "",
     "operand layout: K-major, or token-major re-scaled by the TMA (transposed GEMM proposal)",
     {"k", "mn"}},
    {"write_a_fp8_copy", "flag", "false", "", "also store the TMA-cast FP8 A for the backward (fused cast)", {}},
    {"accumulate", "flag", "false", "", "D += A B: the epilogue reads D first (gradient accumulation)", {}}};

struct Variant {
  // How A reaches shared memory when stored in BF16: cast by the TMA
  // (kTmaCast) or beside the HBM (kNearMemoryCast); kDirect when A is FP8.
  // Whether the GPU can is its units' business (their check()).
  DataPath a_cast = DataPath::kDirect;
  bool a_fp8_copy = false;    // first-N-tile CTAs store the cast A
  bool group_scaled = false;  // promotion inside the tensor core
  bool mn_major = false;      // operands token-major, re-scaled by the TMA
};

// Reads the proposal params and their rules among the params.
Variant read_variant(const ParamReader& p, bool block) {
  Variant v;
  const std::string a_source = p.choice("a_source");
  v.a_cast = a_source == "bf16_tma_cast"           ? DataPath::kTmaCast
             : a_source == "bf16_near_memory_cast" ? DataPath::kNearMemoryCast
                                                   : DataPath::kDirect;
  v.a_fp8_copy = p.flag("write_a_fp8_copy");
  v.group_scaled = p.choice("promotion") == "tensor_core";
  v.mn_major = p.choice("operand_major") == "mn";
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

// Features that change a rule rather than a data path are checked against
// their spec flag here; the data paths are their units' business.
void check_features(const ParamReader& p, const Variant& v, const HardwareSpec& spec) {
  if (v.group_scaled && !spec.tensor_core.group_scaled_mma)
    p.fail("promotion = tensor_core",
           "needs tensor_core.group_scaled_mma = true (apply the group_scaled_mma spec delta)");
  if (v.mn_major && !spec.tensor_core.transposed_fp8_operands)
    p.fail("operand_major = mn",
           "needs tensor_core.transposed_fp8_operands = true (apply the transposed_gemm spec delta)");
}

// The request as the params give it, checked once.
struct GemmRequest {
  GemmShape s{};
  Variant v{};
  bool accumulate = false;  // D += A B: the epilogue reads D first
  int forced_m = 0, forced_n = 0;
};

// Shape, dtypes and scaling; the scaling rules of V3 3.3.2.
GemmShape read_shape(const ParamReader& p, bool& fast_accum) {
  GemmShape s{};
  s.m = p.positive("m");
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

GemmRequest read_request(const ParamReader& p) {
  GemmRequest r;
  bool fast_accum = false;
  r.s = read_shape(p, fast_accum);
  GemmShape& s = r.s;
  r.v = read_variant(p, s.scaling == GemmScaling::kBlock1x128x128);
  // D += A B: the epilogue reads the tile of D it then overwrites (a weight
  // gradient accumulated over micro-batches into the FP32 gradient buffer).
  r.accumulate = p.flag("accumulate");
  // FP8 accumulates in ~14-bit registers unless promoted (V3 3.3.2); BF16
  // accumulates in FP32; group-scaled MMA promotes inside the tensor core.
  s.promote = s.ab == DataType::kFp8E4M3 && !fast_accum && !r.v.group_scaled;
  r.forced_m = static_cast<int>(p.positive_or("tile_m", 0));
  r.forced_n = static_cast<int>(p.positive_or("tile_n", 0));
  const int fm = r.forced_m, fn = r.forced_n;
  const bool promoted_block = s.scaling == GemmScaling::kBlock1x128x128 && s.promote;
  if (fm != 0 && fm != 64 && fm != 128) p.fail("tile_m", "must be 64 or 128");
  if (fn != 0 && (fn % 8 != 0 || fn > 256)) p.fail("tile_n", "must be a multiple of 8 up to 256");
  if (fn > 128 && promoted_block) p.fail("tile_n", "must be at most 128 with block scaling promoted on the CUDA cores");
  if (fn != 0 && !promoted_block && fn % 16 != 0) p.fail("tile_n", "must be a multiple of 16");
  return r;
}

// The launch frame: grid, roles, resources, barriers, tensors and notes.
void describe(KernelProgram& k, const GemmRequest& r, const GemmTiles& t, std::int64_t work_units,
              const KernelContext& ctx) {
  const GemmShape& s = r.s;
  const Variant& v = r.v;
  const int S = t.stages;
  k.name = "gemm";
  k.cluster_size = t.cluster;
  k.persistent = true;
  k.work_units = work_units;
  const std::int64_t cluster_slots = ctx.sms / t.cluster;
  k.ctas = std::min(k.work_units, cluster_slots) * t.cluster;
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
  // Token-major (MN-major) operands are stored [k, m] and [k, n]. A cast by
  // the TMA crosses L2 in BF16; a near-memory cast sends FP8 off the stacks.
  const int a_bytes = v.a_cast == DataPath::kTmaCast ? 2 : bytes_of(s.ab);
  const std::int64_t k_scales = (s.k + kScaleBlock - 1) / kScaleBlock;
  k.tensors = {
      v.mn_major ? TensorDesc{"A (k x m)", s.k, s.m, a_bytes} : TensorDesc{"A", s.m, s.k, a_bytes},
      v.mn_major ? TensorDesc{"B (k x n)", s.k, s.n, bytes_of(s.ab)} : TensorDesc{"B", s.n, s.k, bytes_of(s.ab)},
      {"D", s.m, s.n, bytes_of(s.out)},
      {"A scales (k/128 x m, FP32)", k_scales, s.m, 4},
      s.b_row_scales ? TensorDesc{"B scales (k/128 x n, FP32)", k_scales, s.n, 4}
                     : TensorDesc{"B scales (n/128 x k/128, FP32)", (s.n + kScaleBlock - 1) / kScaleBlock, k_scales, 4},
      {"A FP8 copy", s.m, s.k, 1},
      {"A FP8 copy scales (k/128 x m, FP32)", k_scales, s.m, 4}};
  k.op_tags = {"promotion_ffma"};
  k.flops = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
  k.notes = {
      {"block_m", std::to_string(t.block_m)},
      {"block_n", std::to_string(t.block_n)},
      {"block_k", std::to_string(t.block_k)},
      {"stages", std::to_string(S)},
      {"math_warpgroups", std::to_string(t.math_wgs)},
      {"promotion", s.promote ? "every 128 K on CUDA cores" : (v.group_scaled ? "inside the tensor core" : "none")},
      {"a_source", v.a_cast == DataPath::kTmaCast          ? "BF16 through the TMA cast"
                   : v.a_cast == DataPath::kNearMemoryCast ? "BF16 cast near memory"
                                                           : "FP8"},
      {"operand_major", v.mn_major ? "mn (re-scaled by the TMA)" : "k"},
      {"accumulate", r.accumulate ? "D += A B (epilogue reads D)" : "D = A B"},
      {"tiles", std::to_string(t.tiles)},
      {"multicast", t.cluster == 1 ? "none" : (t.multicast_b ? "B across 2 CTAs" : "A across 2 CTAs")}};
}

// The ops each role issues for one work unit (a cluster tile).
struct GemmEmitter {
  GemmShape s;
  Variant v;
  GemmTiles t;
  bool accumulate = false;
  std::int64_t m_units = 0, n_groups = 0, k_blocks = 0, swizzle = kSwizzleGroup;
  int scale_cycles = 0;
  DataPath a_path = DataPath::kDirect, b_path = DataPath::kDirect;

  void operator()(int role, std::int64_t unit, std::int64_t seq, int rank, OpList& out) const {
    // Swizzled static scheduler: M fastest within groups of 16 M blocks.
    const std::int64_t per_group = n_groups * swizzle;
    const std::int64_t group = unit / per_group;
    const std::int64_t first_m = group * swizzle;
    const std::int64_t m_in_group = std::min<std::int64_t>(swizzle, m_units - first_m);
    const std::int64_t in_group = unit % per_group;
    const std::int64_t mu = first_m + in_group % m_in_group;
    const std::int64_t nu = in_group / m_in_group;
    const std::int64_t mb = t.multicast_b ? mu * t.cluster + rank : mu;
    const std::int64_t nb = t.multicast_b ? nu : nu * t.cluster + rank;
    if (role == 0)
      producer(mb * t.block_m, nb * t.block_n, seq, out);
    else  // Math warp group: rows [m0 + 64 (role-1), +64).
      math(mb * t.block_m + kRows * (role - 1), nb, seq, out);
  }

  bool block() const { return s.scaling == GemmScaling::kBlock1x128x128; }

  Op operand_box(int tensor, std::int64_t r0, std::int64_t kb, int rows, int st, int mc) const {
    return v.mn_major ? tma_load(tensor, kb * t.block_k, r0, t.block_k, rows, st, mc)
                      : tma_load(tensor, r0, kb * t.block_k, rows, t.block_k, st, mc);
  }

  // The TMA producer fills the stage ring.
  void producer(std::int64_t m0, std::int64_t n0, std::int64_t seq, OpList& out) const {
    const int S = t.stages;
    for (std::int64_t kb = 0; kb < k_blocks; ++kb) {
      const std::int64_t g = seq * k_blocks + kb;
      const int st = static_cast<int>(g % S);
      out.push_back(barrier_wait(S + st, g / S));
      out.push_back(via(operand_box(kA, m0, kb, t.block_m, st, t.multicast_b ? 1 : t.cluster), a_path));
      out.push_back(via(operand_box(kB, n0, kb, t.block_n, st, t.multicast_b ? t.cluster : 1), b_path));
      // The cast unit computes A's scales itself.
      if (block() && v.a_cast != DataPath::kTmaCast)
        out.push_back(tma_load(kSfa, kb * t.block_k / kScaleBlock, m0, 1, t.block_m, st));
      if (s.b_row_scales) out.push_back(tma_load(kSfb, kb * t.block_k / kScaleBlock, n0, 1, t.block_n, st));
      out.push_back(barrier_arrive(st));
    }
  }

  void math(std::int64_t row0, std::int64_t nb, std::int64_t seq, OpList& out) const {
    const int S = t.stages;
    const std::int64_t n0 = nb * t.block_n;
    const bool b_rows = s.b_row_scales;
    if (block() && !b_rows)
      out.push_back(ld_global_box(kSfb, n0 / kScaleBlock, 0, 1, k_blocks * t.block_k / kScaleBlock));
    const std::int64_t acc = static_cast<std::int64_t>(kRows) * t.block_n;  // accumulator elements of this WG
    // The CTAs of the first N tile store this warp group's rows of the cast A
    // (FP8 + 1x128 scales) from shared memory before releasing each stage.
    const bool store_copy = v.a_fp8_copy && nb == 0;
    for (std::int64_t kb = 0; kb < k_blocks; ++kb) {
      const std::int64_t g = seq * k_blocks + kb;
      const int st = static_cast<int>(g % S);
      out.push_back(barrier_wait(st, g / S + 1));
      if (store_copy) {
        out.push_back(tma_store(kAcopy, row0, kb * t.block_k, kRows, t.block_k));
        out.push_back(tma_store(kAcopyScales, kb * t.block_k / kScaleBlock, row0, 1, kRows));
      }
      out.push_back(
          with_extra_cycles(wgmma(s.ab, t.block_n, t.block_k / wgmma_k(s.ab)), v.group_scaled ? scale_cycles : 0));
      if (store_copy) out.push_back(tma_store_wait());  // the copy has left the stage
      if (s.promote) {
        out.push_back(wgmma_wait(0));
        out.push_back(barrier_arrive(S + st));
        // final += accum (* scale_a[row] * scale_b): one FFMA (or FADD) per
        // accumulator element, plus the row scales read from shared memory.
        // With per-row B scales each element takes its own sa[row] * sb[col]:
        // one more multiply per element and the stage's B scales to read.
        if (block()) out.push_back(ld_shared(kRows * 4 + (b_rows ? t.block_n * 4 : 0)));
        out.push_back(tagged(cuda_core_ops((b_rows ? 2 * acc : acc) + (block() ? kRows : 0)), kPromotionTag));
      } else {
        out.push_back(wgmma_wait(1));
        if (kb > 0) out.push_back(barrier_arrive(S + static_cast<int>((g - 1) % S)));
      }
    }
    if (!s.promote) {
      out.push_back(wgmma_wait(0));
      out.push_back(barrier_arrive(S + static_cast<int>((seq * k_blocks + k_blocks - 1) % S)));
    }
    epilogue(row0, n0, acc, out);
  }

  // (Read D's tile to add to it,) scale/convert (one op per element), stage
  // D, TMA store.
  void epilogue(std::int64_t row0, std::int64_t n0, std::int64_t acc, OpList& out) const {
    if (accumulate) out.push_back(ld_global_box(kD, row0, n0, kRows, t.block_n));
    out.push_back(cuda_core_ops(accumulate ? 2 * acc : acc));
    out.push_back(tma_store_wait());
    out.push_back(st_shared(acc * bytes_of(s.out)));
    out.push_back(tma_store(kD, row0, n0, kRows, t.block_n));
  }
};

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const GemmRequest r = read_request(p);
  check_features(p, r.v, ctx.spec);
  const GemmTiles t = choose_gemm_tiles(r.s, ctx.spec.sm, ctx.sms, r.forced_m, r.forced_n);
  GemmEmitter e{r.s, r.v, t, r.accumulate};
  const std::int64_t m_blocks = (r.s.m + t.block_m - 1) / t.block_m;
  const std::int64_t n_blocks = (r.s.n + t.block_n - 1) / t.block_n;
  // Work units are cluster tiles: the CTAs of a cluster take adjacent M blocks
  // (B multicast) or adjacent N blocks (A multicast).
  e.m_units = t.multicast_b ? m_blocks / t.cluster : m_blocks;
  e.n_groups = t.multicast_b ? n_blocks : n_blocks / t.cluster;
  e.k_blocks = (r.s.k + t.block_k - 1) / t.block_k;
  // The swizzle group keeps a panel of A (16 M blocks x K) resident in L2
  // while the N blocks stream past it. A BF16 A panel is twice as large; the
  // casting variant shrinks the group so the panel still fits in half of L2
  // (the same tuning rule, applied to the bytes it actually loads).
  if (r.v.a_cast == DataPath::kTmaCast) {
    const std::int64_t panel = static_cast<std::int64_t>(t.block_m) * (t.multicast_b ? t.cluster : 1) * r.s.k * 2;
    e.swizzle = std::clamp<std::int64_t>(ctx.spec.l2.size_bytes / 2 / panel, 1, kSwizzleGroup);
  }
  e.scale_cycles = static_cast<int>(std::lround(ctx.spec.tensor_core.group_scale_cycles));
  e.a_path = r.v.mn_major ? DataPath::kTmaCast : r.v.a_cast;
  e.b_path = r.v.mn_major ? DataPath::kTmaCast : DataPath::kDirect;
  KernelProgram k;
  describe(k, r, t, e.m_units * e.n_groups, ctx);
  k.emit = e;
  return k;
}

// Compulsory work: each operand and its scales read once, D written once
// (and read once when accumulating); the roofline's yardstick.
KernelWork work(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const GemmRequest r = read_request(p);
  const double m = static_cast<double>(r.s.m), n = static_cast<double>(r.s.n), k = static_cast<double>(r.s.k);
  const int a = bytes_of(r.s.ab), b = a, o = bytes_of(r.s.out);  // b_dtype == a_dtype (read_shape)
  KernelWork w;
  w.flops = 2 * m * n * k;
  w.tensor = true;
  w.mma_type = r.s.ab;
  const bool block = r.s.scaling == GemmScaling::kBlock1x128x128, b_rows = r.s.b_row_scales;
  const double a_scales = block ? m * k / 128 * 4 : 0;
  const double b_scales = b_rows ? n * k / 128 * 4 : (block ? n * k / 16384 * 4 : 0);
  w.read_bytes = m * k * a + a_scales + n * k * b + b_scales;
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
    w.tma_cast_bytes = m * k + n * k;  // the TMA re-scales both operands to 128x1 tiles
  }
  return w;
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
