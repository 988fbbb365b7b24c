#pragma once
// The kernel-program IR. A kernel is a grid of CTAs (optionally grouped in
// clusters); each CTA runs a fixed set of roles (warp groups or groups of
// warps), and each role runs a program of coarse operations per work unit:
// a TMA box, a batch of wgmma instructions, a count of CUDA-core lane
// operations, a global load of a CTA's vector of bytes. Programs are emitted
// lazily per (role, work unit) so that a 16384^3 GEMM never materialises
// millions of operations at once.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/sm/occupancy.hpp"
#include "models/spec/hardware_spec.hpp"

namespace hwsim::sim {

enum class OpKind : std::uint8_t {
  kTmaLoad,        // box of a tensor into shared memory; completes a barrier's transaction
  kTmaStore,       // box from shared memory to a tensor (asynchronous)
  kTmaStoreWait,   // wait until this role's TMA stores have read shared memory
  kBarrierArrive,  // mbarrier arrive (count 1)
  kBarrierWait,    // wait until an mbarrier has completed `phase` phases
  kWgmma,          // `count` wgmma m64nNkK instructions (one commit group)
  kWgmmaWait,      // wait until at most `count` commit groups are pending
  kCudaCoreOps,    // lane operations on the FP32 / INT32 / SFU pipes
  kLdGlobal,       // blocking global load: `bytes` at `offset`, or a box when rows > 0
  kStGlobal,       // global store (fire and forget), linear or box
  kLdShared,       // shared-memory load of `bytes`
  kStShared,       // shared-memory store of `bytes`
  kSync,           // CTA-wide barrier among all roles (__syncthreads)
  kLink,           // `bytes` cross network port `tensor` (KernelProgram::links); the role waits for them
};
inline constexpr size_t kOpKinds = static_cast<size_t>(OpKind::kLink) + 1;

// How a global access's data moves: what the kernel asks of the hardware.
// Proposals add casting paths (DeepSeek-V3 3.5.2), served by the unit
// implementations a proposal registers (sim/gpu/units/implementations.hpp);
// a unit that lacks a path rejects the launch before it is simulated.
enum class DataPath : std::uint8_t {
  kDirect,          // as stored
  kTmaCast,         // through the TMA's FP8 cast unit (TMA loads only): the box is
                    // cast at tma.fp8_cast_bytes_per_clk per SM on its way to shared memory
  kNearMemoryCast,  // HBM misses are read as BF16 inside the stacks (2 bytes per
                    // FP8 byte delivered) and cast beside the HBM before crossing the package
  kL2Reduction,     // stores (st_global): red.global.add.f32 performed at the L2 slices;
                    // the line stays dirty in L2 instead of being written through
};

struct Op {
  OpKind kind;
  std::uint8_t tensor = 0;            // index into KernelProgram::tensors
  std::uint8_t multicast = 1;         // TMA loads: CTAs of the cluster sharing this box
  std::uint8_t multicast_rank = 0;    // TMA loads: this CTA's place among them (it fetches that share)
  std::int16_t barrier = -1;          // mbarrier index in the CTA
  DataPath path = DataPath::kDirect;  // global accesses: the path the data takes
  std::uint8_t tag = 0;               // CUDA-core ops: 1 + index into KernelProgram::op_tags (0: untagged)
  std::int16_t extra_cycles = 0;      // wgmma: tensor-pipe cycles added per instruction
  std::int32_t count = 0;             // wgmma count, wait depth
  std::int32_t n = 0;                 // wgmma N
  DataType dtype = DataType::kBf16;
  std::int64_t row0 = 0, col0 = 0, rows = 0, cols = 0;  // TMA box (elements)
  std::int64_t offset = 0, bytes = 0;                   // linear access / shared bytes
  std::int64_t phase = 0;                               // barrier wait target
  std::int64_t fp32 = 0, int32 = 0, sfu = 0;            // CUDA-core lane operations
};

// Helpers that keep kernel generators readable.
inline Op tma_load(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols, int barrier,
                   int multicast = 1);
inline Op tma_store(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols);
inline Op tma_store_wait();
inline Op barrier_arrive(int barrier);
inline Op barrier_wait(int barrier, std::int64_t phase);
inline Op wgmma(DataType dtype, int n, int count);
inline Op wgmma_wait(int pending);
inline Op cuda_core_ops(std::int64_t fp32, std::int64_t int32 = 0, std::int64_t sfu = 0);
inline Op ld_global(int tensor, std::int64_t offset, std::int64_t bytes);
inline Op st_global(int tensor, std::int64_t offset, std::int64_t bytes);
// Plain (non-TMA) loads and stores of a 2-D region: each thread reads its
// part of rows x cols elements; the memory system sees the same chunks a TMA
// box of that shape would move.
inline Op ld_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols);
inline Op st_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols);
inline Op ld_shared(std::int64_t bytes);
inline Op st_shared(std::int64_t bytes);
inline Op cta_sync();
// Waits until `bytes` have crossed port `port` of KernelProgram::links (a
// communication kernel's RDMA write or NVLink send of one chunk).
inline Op link(int port, std::int64_t bytes);
// Variants of the helpers above.
inline Op via(Op load, DataPath path);
inline Op tagged(Op cuda_core, int tag);
inline Op with_extra_cycles(Op wgmma, int cycles);

struct TensorDesc {
  std::string name;
  std::int64_t rows;
  std::int64_t cols;
  int elem_bytes;
  std::int64_t bytes() const { return rows * cols * elem_bytes; }
};

// A network port outside the SM/L2/HBM model (NIC, NVLink egress) as a
// communication kernel sees it: the interconnect model (models/interconnect)
// gives the rate this GPU gets on its bottleneck link and the latency of a
// chunk through the path; the port serves the kernel's chunks in FIFO order.
struct LinkDesc {
  std::string name;
  double bytes_per_s = 0;
  double latency_s = 0;
};

struct RoleDesc {
  std::string name;  // "producer", "math0", ...
  int warps;
};

using OpList = std::vector<Op>;

struct KernelProgram {
  std::string name;        // kernel kind, e.g. "gemm"
  std::string stands_for;  // the real kernel it models
  std::int64_t ctas = 0;   // CTAs launched (a multiple of cluster_size)
  int cluster_size = 1;
  CtaResources resources{};
  std::vector<RoleDesc> roles;
  int barriers = 0;                   // mbarriers per CTA
  std::vector<int> barrier_arrivals;  // arrivals that complete a phase, per barrier
  std::vector<TensorDesc> tensors;
  std::vector<LinkDesc> links;  // network ports kLink ops use (communication kernels)
  // Work units: a persistent kernel gives each CTA units cta, cta + ctas, ...
  // (a static tile scheduler); otherwise unit == CTA index.
  std::int64_t work_units = 0;
  bool persistent = false;
  // Emits the ops of `role` for `unit`, the `seq`-th unit this CTA runs
  // (programs use it to continue barrier phases across units). `cta_in_cluster`
  // lets clustered kernels split shared (multicast) loads.
  std::function<void(int role, std::int64_t unit, std::int64_t seq, int cta_in_cluster, OpList& out)> emit;
  double flops = 0;  // useful FLOPs, for achieved FLOP/s
  // Names the launch's buffers: launches with the same tag on the same stream
  // use the same memory (what L2 carry-over between launches finds).
  std::uint64_t buffer_tag = 0;
  // Names of counted CUDA-core op groups (Op::tag): the launch reports the lane
  // operations of each as ops.<name>, e.g. ops.promotion_ffma.
  std::vector<std::string> op_tags;
  std::vector<std::pair<std::string, std::string>> notes;  // resolved design choices (tile sizes...)
};

// The helpers are inline: kernel programs call them for every op they emit.
inline Op tma_load(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols, int barrier,
                   int multicast) {
  Op o{OpKind::kTmaLoad};
  o.tensor = static_cast<std::uint8_t>(tensor);
  o.row0 = row0;
  o.col0 = col0;
  o.rows = rows;
  o.cols = cols;
  o.barrier = static_cast<std::int16_t>(barrier);
  o.multicast = static_cast<std::uint8_t>(multicast);
  return o;
}
inline Op tma_store(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = tma_load(tensor, row0, col0, rows, cols, -1);
  o.kind = OpKind::kTmaStore;
  return o;
}
inline Op tma_store_wait() { return Op{OpKind::kTmaStoreWait}; }
inline Op barrier_arrive(int barrier) {
  Op o{OpKind::kBarrierArrive};
  o.barrier = static_cast<std::int16_t>(barrier);
  return o;
}
inline Op barrier_wait(int barrier, std::int64_t phase) {
  Op o{OpKind::kBarrierWait};
  o.barrier = static_cast<std::int16_t>(barrier);
  o.phase = phase;
  return o;
}
inline Op wgmma(DataType dtype, int n, int count) {
  Op o{OpKind::kWgmma};
  o.dtype = dtype;
  o.n = n;
  o.count = count;
  return o;
}
inline Op wgmma_wait(int pending) {
  Op o{OpKind::kWgmmaWait};
  o.count = pending;
  return o;
}
inline Op cuda_core_ops(std::int64_t fp32, std::int64_t int32, std::int64_t sfu) {
  Op o{OpKind::kCudaCoreOps};
  o.fp32 = fp32;
  o.int32 = int32;
  o.sfu = sfu;
  return o;
}
inline Op ld_global(int tensor, std::int64_t offset, std::int64_t bytes) {
  Op o{OpKind::kLdGlobal};
  o.tensor = static_cast<std::uint8_t>(tensor);
  o.offset = offset;
  o.bytes = bytes;
  return o;
}
inline Op st_global(int tensor, std::int64_t offset, std::int64_t bytes) {
  Op o = ld_global(tensor, offset, bytes);
  o.kind = OpKind::kStGlobal;
  return o;
}
inline Op ld_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = tma_load(tensor, row0, col0, rows, cols, -1);
  o.kind = OpKind::kLdGlobal;
  return o;
}
inline Op st_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = ld_global_box(tensor, row0, col0, rows, cols);
  o.kind = OpKind::kStGlobal;
  return o;
}
inline Op ld_shared(std::int64_t bytes) {
  Op o{OpKind::kLdShared};
  o.bytes = bytes;
  return o;
}
inline Op st_shared(std::int64_t bytes) {
  Op o{OpKind::kStShared};
  o.bytes = bytes;
  return o;
}
inline Op link(int port, std::int64_t bytes) {
  Op o{};
  o.kind = OpKind::kLink;
  o.tensor = static_cast<std::uint8_t>(port);
  o.bytes = bytes;
  return o;
}

inline Op cta_sync() { return Op{OpKind::kSync}; }
inline Op via(Op load, DataPath path) {
  load.path = path;
  return load;
}
inline Op tagged(Op cuda_core, int tag) {
  cuda_core.tag = static_cast<std::uint8_t>(tag + 1);
  return cuda_core;
}
inline Op with_extra_cycles(Op wgmma, int cycles) {
  wgmma.extra_cycles = static_cast<std::int16_t>(cycles);
  return wgmma;
}

}  // namespace hwsim::sim
