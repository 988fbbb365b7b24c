#pragma once
// The program the Hopper GEMM kernels share (gemm, grouped_gemm): the params
// they have in common and how they are read and checked, their compulsory
// work, the launch frame (roles, barriers, resources, notes) and the ops one
// CTA's roles issue for one output tile, wherever that tile lies in the
// launch's tensors. Each kernel keeps only what differs: its shape params,
// its tensors, and the map from work units to tiles (gemm: DeepGEMM's swizzled
// scheduler over one M x N grid; grouped_gemm: the same over every group's M
// blocks). The structure is described at the top of gemm.cpp.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/program/program.hpp"
#include "workloads/kernel_descriptor.hpp"
#include "workloads/kernels/gemm_tiles.hpp"

namespace hwsim::kernels {

// Indices of a GEMM program's tensors (KernelProgram::tensors in this order).
enum GemmTensor : int { kTensorA, kTensorB, kTensorD, kTensorSfa, kTensorSfb, kTensorAcopy, kTensorAcopyScales };

// The proposal variants (DeepSeek-V3 3.5.2; docs/engine.md "Proposal
// variants"). Whether the GPU can run them is its units' business (their
// check()) or check_gemm_features().
struct GemmVariant {
  // How A reaches shared memory when stored in BF16: cast by the TMA
  // (kTmaCast) or beside the HBM (kNearMemoryCast); kDirect when A is FP8.
  sim::DataPath a_cast = sim::DataPath::kDirect;
  bool a_fp8_copy = false;    // first-N-tile CTAs store the cast A
  bool group_scaled = false;  // promotion inside the tensor core
  bool mn_major = false;      // operands token-major, re-scaled by the TMA
};

// The request as the params give it, checked once.
struct GemmRequest {
  GemmShape s{};
  GemmVariant v{};
  bool accumulate = false;  // D += A B: the epilogue reads D first
  GemmForced forced{};      // tile_m, tile_n (and gemm's cluster_m, cluster_n) when the launch names them
};

// Declarations shared by the GEMM kernels; each kernel's kParams is its own
// params around these, in the order `hwsim kernels show` prints them.
std::vector<KernelParam> gemm_operand_params();  // n, k, a_dtype, b_dtype
std::vector<KernelParam> gemm_tuning_params();   // fast_accum, tile_m, tile_n
std::vector<KernelParam> gemm_cluster_params();  // cluster_m, cluster_n
// a_source, promotion, operand_major (with `operand_major`), write_a_fp8_copy:
// the params the hardware proposals' rewrites set (hw_proposals/).
std::vector<KernelParam> gemm_proposal_params(bool operand_major);

// Reads and checks everything but M (the kernel's own, passed in) and
// `accumulate`: n, k, dtypes, scaling, fast_accum, tiles and the proposal
// variants (operand_major only when the kernel declares it). The scaling
// names are those the kernel declares among none, per_tensor, rowwise,
// block_1x128_128x128 and block_1x128_1x128.
GemmRequest read_gemm_request(const ParamReader& p, std::int64_t m, bool operand_major);
// cluster_m, cluster_n (0 when absent) into r.forced; the kernels that declare them.
void read_gemm_cluster(const ParamReader& p, GemmRequest& r);
// Features that change a rule rather than a data path, against their spec flags.
void check_gemm_features(const ParamReader& p, const GemmVariant& v, const HardwareSpec& spec);

// Compulsory work of `rows` rows of A and D against `b_matrices` B matrices
// of n x k: each operand and its scales read once, D written once (and read
// once when accumulating), plus the variants' bytes; the roofline's yardstick.
KernelWork gemm_work(const GemmRequest& r, double rows, double b_matrices);

// The launch frame: grid, roles, resources, barriers, op tags and the notes
// of the tile choice; `extra_notes` follow the operand notes. Tensors and
// FLOPs are the kernel's.
void describe_gemm_launch(sim::KernelProgram& k, const std::string& name, const GemmRequest& r, const GemmTiles& t,
                          std::int64_t work_units, const KernelContext& ctx,
                          const std::vector<std::pair<std::string, std::string>>& extra_notes);

// DeepGEMM's static scheduler: M fastest within groups of `swizzle` M units,
// so a panel of A stays in L2 while the N units stream past it. Returns the
// (M unit, N unit) of work unit `unit` of an m_units x n_units grid.
constexpr int kGemmSwizzleGroup = 16;  // DeepGEMM kNum1DBlocksPerGroup
std::pair<std::int64_t, std::int64_t> swizzled_unit(std::int64_t unit, std::int64_t m_units, std::int64_t n_units,
                                                    std::int64_t swizzle);
// The swizzle group for the request: DeepGEMM's 16 M blocks, shrunk for a
// BF16 A cast by the TMA so the panel it loads still fits in half of L2.
std::int64_t gemm_swizzle_group(const GemmRequest& r, const GemmTiles& t, const HardwareSpec& spec);

// One work unit's output tile as its CTA sees it.
struct GemmTile {
  std::int64_t row0 = 0;                 // first row in A, D and the A scales
  std::int64_t rows = 0;                 // rows the tile's A and D boxes move: block_m, fewer at a group's end
  std::int64_t b_row0 = 0;               // first row of the B box
  std::int64_t n0 = 0;                   // first column of D
  std::int64_t sfb_row0 = 0;             // row of the B-scale tensor (128x128 blocks: n block; row-wise: group)
  bool first_n = false;                  // the first N tile of its rows (stores the FP8 copy of A)
  int a_multicast = 1, b_multicast = 1;  // CTAs sharing the A / B box
  int a_rank = 0, b_rank = 0;            // this CTA's place among those sharing the A / B box
};

// The ops of one tile: the TMA producer fills the stage ring, the math warp
// groups (GemmTiles::layout) issue wgmma, promote, and run the epilogue.
class GemmTileProgram {
 public:
  GemmTileProgram(const GemmRequest& r, const GemmTiles& t, const HardwareSpec& spec);
  // role 0: the producer; role w + 1: math warp group w. `seq`: the tiles this
  // CTA ran before (it continues the barrier phases).
  void emit(int role, const GemmTile& tile, std::int64_t seq, sim::OpList& out) const;

 private:
  bool block() const { return s_.scaling == GemmScaling::kBlock1x128x128; }
  sim::Op operand_box(int tensor, std::int64_t r0, std::int64_t kb, std::int64_t rows, int st, int mc, int rank) const;
  void producer(const GemmTile& tile, std::int64_t seq, sim::OpList& out) const;
  void math(const GemmTile& tile, int wg, std::int64_t seq, sim::OpList& out) const;
  // The part of the tile math warp group `wg` owns.
  struct Slice {
    std::int64_t row0, rows, n0, cols;
  };
  Slice slice(const GemmTile& tile, int wg) const;
  void epilogue(const GemmTile& tile, const Slice& sl, std::int64_t acc, sim::OpList& out) const;

  GemmShape s_;
  GemmVariant v_;
  GemmTiles t_;
  bool accumulate_ = false;
  std::int64_t k_blocks_ = 0;
  int scale_cycles_ = 0;
  sim::DataPath a_path_ = sim::DataPath::kDirect, b_path_ = sim::DataPath::kDirect;
};

}  // namespace hwsim::kernels
