// attention: softmax(Q K^T / sqrt(d)) V per head, BF16, forward or backward.
//
// Stands for: FlashAttention-3 on Hopper (Shah et al. 2024, "FlashAttention-3:
// Fast and Accurate Attention with Asynchrony and Low-precision", sections
// 3.1-3.2), the kernel DeepSeek-V3's MLA attention runs as in training
// (qk_dim 192 = 128 no-PE + 64 RoPE, v_dim 128; DeepSeek-V3 config.json).
// Layout: Q, K [seq, heads x qk_dim], V, O [seq, heads x v_dim], one sequence.
//
// Forward: one CTA per (query tile of 128 rows, head) in FA3's
// longest-processing-time-first order (heaviest causal tiles first, heads in
// sections that share L2), handed out dynamically by the block scheduler. Per CTA one TMA producer warp group and two
// consumer warp groups of 64 query rows each (warp specialisation). The
// producer loads the Q tile once and K/V tiles of 128 keys through a ring of
// `stages` buffers (full/empty mbarriers). Per KV tile a consumer issues
// S = Q K^T (qk_dim/16 wgmma m64n128k16), waits, runs the online softmax
// (row max, exp2 on the SFU, row sum, rescale of O and conversion to BF16 on
// the CUDA cores; causal masking on the diagonal tile), then O += P V
// (8 wgmma m64nVk16). Two consumer warp groups interleave, so one's softmax
// overlaps the other's GEMMs (FA3's ping-pong, 3.1). Causal attention skips
// the KV tiles above the diagonal. Epilogue: O / rowsum, TMA store of O and
// of the log-sum-exp.
//
// Backward (FA2/FA3 algorithm): a grid over (key tile of 128, head) units;
// each CTA keeps K_j, V_j in shared memory and walks the query tiles of 64
// rows (causal: those at or below the diagonal), loading Q_i, dO_i, LSE_i
// and D_i = rowsum(dO_i * O_i). Each consumer warp group owns 64 of the keys
// and issues the five GEMMs: S = Q K^T (recomputed), dP = dO V^T,
// dV += P^T dO, dK += dS^T Q, dQ_i += dS K; P = exp(S - LSE) on the SFU,
// dS = P (dP - D) on the CUDA cores. dQ is accumulated in FP32 by
// red.global.add at L2 (FA3's dQ accumulator); dK and dV are stored once per
// CTA. The small pre- and post-processing kernels (D, dQ to BF16) are not
// part of this kernel.
//
// FLOPs reported are the roofline's formula (workloads/roofline), which the
// wgmma counts equal for qk_dim = v_dim; with qk_dim != v_dim the backward's
// five GEMMs do 2 s^2 h (3 qk + 2 v) (x 1/2 causal) instead of 2.5 x forward.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "workloads/kernels/kernels.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreadsPerWarpGroup = 128;
constexpr int kWarpsPerWarpGroup = 4;
constexpr int kRows = 64;           // rows of one wgmma (m64): one consumer warp group
constexpr int kKeyTile = 128;       // keys per KV tile (FA3 hdim 128: 128 x 128 tiles)
constexpr int kFwdQueryTile = 128;  // two consumer warp groups
constexpr int kBwdQueryTile = 64;   // FA3's backward uses smaller query tiles (shared memory)
constexpr int kStages = 2;          // FA3's K/V pipeline depth
constexpr int kMmaK = 16;           // BF16 wgmma k
constexpr int kBarrierBytes = 8;
// Online softmax per score element (forward): scale-and-max (FMNMX), the
// FFMA of x * scale - max, exp2 on the SFU, the row-sum FADD, half a paired
// conversion to BF16. Causal masking on the diagonal tile: compare and
// select per element (integer pipe).
constexpr double kSoftmaxFp32 = 1.0 + 1.0 + 1.0 + 0.5;
constexpr double kMaskInt32 = 2.0;
// Backward per score element: P = exp2(S * scale - LSE) (FFMA + ex2), the
// conversion of P, dS = P * (dP - D) (FADD + FMUL), the conversion of dS.
constexpr double kBwdFp32 = 1.0 + 0.5 + 2.0 + 0.5;

enum FwdTensor { kQ, kK, kV, kO, kLse };
enum BwdTensor { kBq, kBk, kBv, kBdo, kBlse, kBd, kBdq, kBdk, kBdv };

// One launch's shape and its unit order.
struct Attn {
  std::int64_t seq = 0, heads = 0, qk = 0, dv = 0;
  bool causal = true, bwd = false;
  int qt = kFwdQueryTile;  // query tile rows
  std::int64_t key_tiles = 0, query_tiles = 0, outer_tiles = 0;
  std::int64_t section = 1;  // heads per L2 section

  // Inner tiles of a unit: forward, the KV tiles [0, last]; backward, the
  // query tiles [first, query_tiles). Causal units come heaviest first.
  struct Range {
    std::int64_t outer, head, first, count;
  };
  Range range(std::int64_t unit) const {
    Range r{};
    const std::int64_t sec = unit / (section * outer_tiles);
    const std::int64_t sec_heads = std::min(section, heads - sec * section);
    const std::int64_t within = unit - sec * section * outer_tiles;
    r.head = sec * section + within % sec_heads;
    const std::int64_t o = within / sec_heads;
    if (!bwd) {
      r.outer = causal ? query_tiles - 1 - o : o;
      r.first = 0;
      r.count = causal ? (r.outer * qt + qt + kKeyTile - 1) / kKeyTile : key_tiles;
    } else {
      r.outer = o;
      r.first = causal ? o * kKeyTile / qt : 0;
      r.count = query_tiles - r.first;
    }
    return r;
  }
};

const std::vector<KernelParam> kParams = {
    {"seq", "integer > 0", "", "tokens", "sequence length (one sequence), a multiple of 128", {}},
    {"heads", "integer > 0", "", "", "attention heads", {}},
    {"qk_dim", "integer > 0", "", "elements", "query/key head dimension (MLA: 192), a multiple of 16 up to 256", {}},
    {"v_dim", "integer > 0", "", "elements", "value head dimension (MLA: 128), a multiple of 16 up to 256", {}},
    {"causal", "flag", "true", "", "causal masking (the key tiles above the diagonal are skipped)", {}},
    {"pass", "choice", "fwd", "", "forward, or backward (dQ, dK, dV)", {"fwd", "bwd"}}};

// The shape and pass as the params give them.
Attn read_attn(const ParamReader& p) {
  Attn a;
  a.seq = p.positive("seq");
  a.heads = p.positive("heads");
  a.qk = p.positive("qk_dim");
  a.dv = p.positive("v_dim");
  a.causal = p.flag("causal");
  a.bwd = p.choice("pass") == "bwd";
  if (a.seq % kKeyTile != 0) p.fail("seq", fmt::format("= {} must be a multiple of 128 (128 x 128 tiles)", a.seq));
  for (const auto& [name, v] : {std::pair{"qk_dim", a.qk}, std::pair{"v_dim", a.dv}}) {
    if (v % kMmaK != 0 || v > 256) p.fail(name, fmt::format("= {} must be a multiple of 16 up to 256 (wgmma N)", v));
  }
  a.key_tiles = a.seq / kKeyTile;
  a.qt = a.bwd ? kBwdQueryTile : kFwdQueryTile;
  a.query_tiles = a.seq / a.qt;
  a.outer_tiles = a.bwd ? a.key_tiles : a.query_tiles;
  return a;
}

// Heads per L2 section on this GPU.
void place_sections(Attn& a, const KernelContext& ctx) {
  // Unit order: FA3's longest-processing-time-first scheduler with an L2
  // swizzle. Heads are taken in sections whose working set (forward K, V;
  // backward Q, dO and the dQ accumulator) fills about half of L2; within a
  // section the outer tiles run heaviest first, heads fastest, so the CTAs
  // resident at once share a section's data in L2 and causal work balances.
  const std::int64_t head_bytes = a.bwd ? a.seq * (a.qk + a.dv) * 2 + a.seq * a.qk * 4 : a.seq * (a.qk + a.dv) * 2;
  a.section = std::clamp<std::int64_t>(ctx.spec.l2.size_bytes / 2 / std::max<std::int64_t>(1, head_bytes), 1, a.heads);
}

// BF16 attention core: QK^T and PV are 2 seq^2 heads (qk_dim + v_dim) FLOPs,
// halved when causal; the backward does 2.5x the forward (dS, dQ, dK, dV and
// the recomputed P). Compulsory bytes: Q, K, V read and O written once; the
// backward also reads O and dO and writes dQ, dK, dV.
KernelWork work(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const Attn a = read_attn(p);
  const double seq = static_cast<double>(a.seq), heads = static_cast<double>(a.heads);
  const double qk = static_cast<double>(a.qk), v = static_cast<double>(a.dv);
  const double fwd = 2 * seq * seq * heads * (qk + v) * (a.causal ? 0.5 : 1.0);
  KernelWork w;
  w.flops = a.bwd ? 2.5 * fwd : fwd;
  w.tensor = true;
  w.mma_type = DataType::kBf16;
  const double q = seq * heads * qk * 2, kv = seq * heads * (qk + v) * 2, o = seq * heads * v * 2;
  w.read_bytes = a.bwd ? q + kv + 2 * o : q + kv;
  w.write_bytes = a.bwd ? q + kv : o;
  return w;
}

// The launch frame: roles, resources, barriers, FLOPs and notes.
void describe(KernelProgram& k, const Attn& a, const ParamReader& p, const KernelContext& ctx) {
  k.name = "attention";
  // One CTA per unit: the hardware block scheduler hands the next unit to the
  // first SM that frees up, which is the dynamic scheduling FA3 gets from
  // its atomic tile counter (forward, causal) or a plain grid (backward).
  k.persistent = false;
  k.roles = {{"producer", kWarpsPerWarpGroup}, {"math0", kWarpsPerWarpGroup}, {"math1", kWarpsPerWarpGroup}};
  const int threads = kThreadsPerWarpGroup * 3;
  const int regs = std::min(ctx.spec.sm.max_registers_per_thread, ctx.spec.sm.registers / threads / 8 * 8);
  // Shared memory: forward Q tile + K/V ring (O is staged in Q's buffer);
  // backward K/V tiles + Q/dO ring + LSE/D + the dS tile.
  const std::int64_t qk = a.qk, dv = a.dv;
  const std::int64_t fwd_smem = kFwdQueryTile * qk * 2 + kStages * kKeyTile * (qk + dv) * 2;
  const std::int64_t bwd_smem = kKeyTile * (qk + dv) * 2 +
                                kStages * (kBwdQueryTile * (qk + dv) * 2 + 2 * kBwdQueryTile * 4) +
                                kKeyTile * kBwdQueryTile * 2;
  const std::int64_t smem = (a.bwd ? bwd_smem : fwd_smem) + 4 * kStages * kBarrierBytes;
  if (smem > ctx.spec.sm.smem_per_block_max_bytes) {
    p.fail("qk_dim", fmt::format("= {} with v_dim = {} needs {} bytes of shared memory for 128-key tiles with {} "
                                 "stages; a CTA may use at most {} (sm.smem_per_block_max_bytes)",
                                 qk, dv, smem, kStages, ctx.spec.sm.smem_per_block_max_bytes));
  }
  k.resources = {threads, regs, smem};
  // Barriers: 0 outer tile loaded (Q fwd / K,V bwd), [1, 1+S) ring full,
  // [1+S, 1+2S) ring empty (both consumers arrive).
  k.barriers = 1 + 2 * kStages;
  k.barrier_arrivals = {1};
  for (int i = 0; i < kStages; ++i) k.barrier_arrivals.push_back(1);
  for (int i = 0; i < kStages; ++i) k.barrier_arrivals.push_back(2);
  // The roofline's FLOPs (workloads/roofline/roofline_predictor.cpp).
  const double s = static_cast<double>(a.seq), h = static_cast<double>(a.heads);
  k.flops = 2 * s * s * h * static_cast<double>(qk + dv) * (a.causal ? 0.5 : 1.0) * (a.bwd ? 2.5 : 1.0);
  k.op_tags = {"softmax", "mask"};
  k.notes = {{"pass", a.bwd ? "bwd" : "fwd"},
             {"causal", a.causal ? "true" : "false"},
             {"query_tile", std::to_string(a.qt)},
             {"key_tile", std::to_string(kKeyTile)},
             {"stages", std::to_string(kStages)}};
  k.work_units = a.outer_tiles * a.heads;
  k.ctas = k.work_units;
}

// Forward: Q once, then K/V tiles through the ring; consumers run S = Q K^T,
// the online softmax and O += P V per tile.
struct ForwardEmitter {
  Attn a;
  void operator()(int role, std::int64_t unit, std::int64_t /*seq*/, int /*rank*/, OpList& out) const {
    const Attn::Range r = a.range(unit);
    const std::int64_t q0 = r.outer * a.qt;
    if (role == 0) {
      out.push_back(tma_load(kQ, q0, r.head * a.qk, a.qt, a.qk, 0));
      out.push_back(barrier_arrive(0));
      for (std::int64_t j = 0; j < r.count; ++j) {
        const int st = static_cast<int>(j % kStages);
        out.push_back(barrier_wait(1 + kStages + st, j / kStages));
        out.push_back(tma_load(kK, j * kKeyTile, r.head * a.qk, kKeyTile, a.qk, 1 + st));
        out.push_back(tma_load(kV, j * kKeyTile, r.head * a.dv, kKeyTile, a.dv, 1 + st));
        out.push_back(barrier_arrive(1 + st));
      }
      return;
    }
    consumer(r, q0 + kRows * (role - 1), out);
  }

  void consumer(const Attn::Range& r, std::int64_t row0, OpList& out) const {
    const std::int64_t dv = a.dv;
    const std::int64_t scores = static_cast<std::int64_t>(kRows) * kKeyTile;
    out.push_back(barrier_wait(0, 1));
    for (std::int64_t j = 0; j < r.count; ++j) {
      const int st = static_cast<int>(j % kStages);
      out.push_back(barrier_wait(1 + st, j / kStages + 1));
      out.push_back(wgmma(DataType::kBf16, kKeyTile, static_cast<int>(a.qk / kMmaK)));
      out.push_back(wgmma_wait(0));
      // Keys past this warp group's last row are masked on the diagonal tile.
      if (a.causal && (j + 1) * kKeyTile > row0)
        out.push_back(tagged(cuda_core_ops(0, static_cast<std::int64_t>(kMaskInt32 * scores)), 1));
      out.push_back(tagged(cuda_core_ops(static_cast<std::int64_t>(kSoftmaxFp32 * scores) + kRows * dv, 0, scores), 0));
      out.push_back(wgmma(DataType::kBf16, static_cast<int>(dv), kKeyTile / kMmaK));
      out.push_back(wgmma_wait(0));
      out.push_back(barrier_arrive(1 + kStages + st));
    }
    // Epilogue: O / rowsum, convert, stage, store O and the log-sum-exp.
    out.push_back(cuda_core_ops(kRows * dv + kRows * dv / 2, 0, kRows));
    out.push_back(tma_store_wait());
    out.push_back(st_shared(kRows * dv * 2));
    out.push_back(tma_store(kO, row0, r.head * dv, kRows, dv));
    out.push_back(tma_store(kLse, r.head, row0, 1, kRows));
  }
};

// Backward: K_j, V_j stay; Q_i, dO_i, LSE_i, D_i stream through the ring;
// consumers run the five GEMMs and reduce dQ into L2.
struct BackwardEmitter {
  Attn a;
  void operator()(int role, std::int64_t unit, std::int64_t /*seq*/, int /*rank*/, OpList& out) const {
    const Attn::Range r = a.range(unit);
    const std::int64_t k0 = r.outer * kKeyTile;
    if (role == 0) {
      out.push_back(tma_load(kBk, k0, r.head * a.qk, kKeyTile, a.qk, 0));
      out.push_back(tma_load(kBv, k0, r.head * a.dv, kKeyTile, a.dv, 0));
      out.push_back(barrier_arrive(0));
      for (std::int64_t i = 0; i < r.count; ++i) {
        const int st = static_cast<int>(i % kStages);
        const std::int64_t q0 = (r.first + i) * a.qt;
        out.push_back(barrier_wait(1 + kStages + st, i / kStages));
        out.push_back(tma_load(kBq, q0, r.head * a.qk, a.qt, a.qk, 1 + st));
        out.push_back(tma_load(kBdo, q0, r.head * a.dv, a.qt, a.dv, 1 + st));
        out.push_back(tma_load(kBlse, r.head, q0, 1, a.qt, 1 + st));
        out.push_back(tma_load(kBd, r.head, q0, 1, a.qt, 1 + st));
        out.push_back(barrier_arrive(1 + st));
      }
      return;
    }
    // This warp group's 64 keys against the 64 queries of each tile.
    consumer(r, k0 + kRows * (role - 1), out);
  }

  void consumer(const Attn::Range& r, std::int64_t key0, OpList& out) const {
    const std::int64_t qk = a.qk, dv = a.dv;
    const int qt = a.qt;
    const std::int64_t scores = static_cast<std::int64_t>(kRows) * qt;
    out.push_back(barrier_wait(0, 1));
    for (std::int64_t i = 0; i < r.count; ++i) {
      const int st = static_cast<int>(i % kStages);
      const std::int64_t q0 = (r.first + i) * qt;
      out.push_back(barrier_wait(1 + st, i / kStages + 1));
      out.push_back(wgmma(DataType::kBf16, qt, static_cast<int>(qk / kMmaK)));  // S^T = K Q^T
      out.push_back(wgmma(DataType::kBf16, qt, static_cast<int>(dv / kMmaK)));  // dP^T = V dO^T
      out.push_back(wgmma_wait(1));
      if (a.causal && q0 < key0 + kRows)
        out.push_back(tagged(cuda_core_ops(0, static_cast<std::int64_t>(kMaskInt32 * scores)), 1));
      out.push_back(tagged(cuda_core_ops(static_cast<std::int64_t>(1.5 * scores), 0, scores), 0));    // P
      out.push_back(wgmma(DataType::kBf16, static_cast<int>(dv), qt / kMmaK));                        // dV += P^T dO
      out.push_back(wgmma_wait(1));                                                                   // dP has landed
      out.push_back(tagged(cuda_core_ops(static_cast<std::int64_t>((kBwdFp32 - 1.5) * scores)), 0));  // dS
      out.push_back(st_shared(scores * 2));  // dS for the dQ GEMM's other operand layout
      out.push_back(wgmma(DataType::kBf16, static_cast<int>(qk), qt / kMmaK));     // dK += dS^T Q
      out.push_back(wgmma(DataType::kBf16, static_cast<int>(qk), kRows / kMmaK));  // dQ_i (64 keys' share)
      out.push_back(wgmma_wait(0));
      out.push_back(barrier_arrive(1 + kStages + st));
      // red.global.add.f32 of this warp group's dQ partial into the accumulator.
      out.push_back(via(st_global_box(kBdq, q0, r.head * qk, qt, qk), DataPath::kL2Reduction));
    }
    // Epilogue: scale dK, convert, stage and store dK and dV rows of this warp group.
    out.push_back(cuda_core_ops(kRows * (qk + dv) * 3 / 2));
    out.push_back(tma_store_wait());
    out.push_back(st_shared(kRows * (qk + dv) * 2));
    out.push_back(tma_store(kBdk, key0, r.head * qk, kRows, qk));
    out.push_back(tma_store(kBdv, key0, r.head * dv, kRows, dv));
  }
};

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  Attn a = read_attn(p);
  place_sections(a, ctx);
  KernelProgram k;
  describe(k, a, p, ctx);
  const std::int64_t seq = a.seq, heads = a.heads, qk = a.qk, dv = a.dv;
  if (!a.bwd) {
    k.tensors = {{"Q", seq, heads * qk, 2},
                 {"K", seq, heads * qk, 2},
                 {"V", seq, heads * dv, 2},
                 {"O", seq, heads * dv, 2},
                 {"LSE (FP32)", heads, seq, 4}};
    k.emit = ForwardEmitter{a};
    return k;
  }
  k.tensors = {{"Q", seq, heads * qk, 2},
               {"K", seq, heads * qk, 2},
               {"V", seq, heads * dv, 2},
               {"dO", seq, heads * dv, 2},
               {"LSE (FP32)", heads, seq, 4},
               {"D = rowsum(dO O) (FP32)", heads, seq, 4},
               {"dQ accumulator (FP32)", seq, heads * qk, 4},
               {"dK", seq, heads * qk, 2},
               {"dV", seq, heads * dv, 2}};
  k.emit = BackwardEmitter{a};
  return k;
}

}  // namespace

KernelDef attention_kernel() {
  return {"attention",
          "FlashAttention-3 (Shah et al. 2024) BF16 forward / backward on Hopper: TMA + WGMMA, warp-specialised",
          kParams,
          build,
          work,
          {{"seq", 4096}, {"heads", 128}, {"qk_dim", 192}, {"v_dim", 128}, {"causal", true}, {"pass", "fwd"}}};
}

}  // namespace hwsim::kernels
