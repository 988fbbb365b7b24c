#pragma once
// HardwareSpec: the typed, immutable description of one GPU, built once from
// a resolved ParamTable (sim/config loads the YAML presets in models/gpus/).
// Component models take the section they need by const reference; nothing
// reads the YAML tree later (docs/engine.md, "Conventions").
//
// Contract: every field is set from a key of gpu_param_schema(), one row per
// key naming the member it fills; all keys are required (no silent defaults)
// and checked against their rule on load.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/spec/param_table.hpp"

namespace hwsim {

enum class ValueKind { kNumber, kInteger, kText, kFlag, kNumberList };
enum class Rule { kAny, kPositive, kNonNegative, kFraction /* in (0, 1] */ };

struct HardwareSpec;

// The member of HardwareSpec a key fills. Built by HWSIM_MEMBER(section,
// field) in hardware_spec.cpp from pointers to members, so the row cannot
// name a member of the wrong type; `get` reads it back for tools and tests.
struct ParamMember {
  ValueKind kind;  // implied by the member's C++ type
  void (*set)(HardwareSpec& spec, const ParamTable& params, const std::string& key);
  ParamValue (*get)(const HardwareSpec& spec);
};

struct ParamDef {
  std::string_view key;  // dotted, unit suffix at the end ("hbm.bandwidth_GBps")
  ValueKind kind;
  Rule rule;
  // The practical range of a number, integer or list entry, in the key's unit
  // (docs/reliability.md): every value must be finite and in [lo, hi]; under
  // kNonNegative with lo > 0 the value is 0 (feature off) or in [lo, hi].
  // Bounds keep integers within their member's type and times within a Tick.
  double lo;
  double hi;
  std::string_view description;  // one line; docs/hardware.md explains more
  ParamMember member;
};

// All keys of a GPU description, in documentation order.
std::span<const ParamDef> gpu_param_schema();
std::string_view rule_text(Rule r);         // as error messages say it: "must be > 0"
std::string range_text(const ParamDef& d);  // as the schema and errors list it: "1..4096", "[1, 10000]"
// Whether a finite `v` satisfies d's rule and range (kAny rows: always).
bool in_range(const ParamDef& d, double v);
std::string_view to_string(ValueKind k);  // "number", "integer", ...

enum class DataType { kFp8E4M3, kFp8E5M2, kBf16, kFp16, kTf32, kFp32, kInt8 };
std::string_view to_string(DataType t);
DataType parse_data_type(std::string_view s, const std::string& where);  // throws naming `where`
int bytes_of(DataType t);

struct ClockParams {
  double sm_max_MHz;  // boost clock
  double sm_MHz;      // clock the simulation runs the SMs at
  double mem_MHz;     // HBM clock as reported by the driver
};

struct SmParams {
  int count;
  int gpcs;
  std::vector<int> sms_per_gpc;  // sums to count
  int subpartitions;             // per SM (warp schedulers)
  int max_threads;
  int max_warps;
  int max_ctas;
  int max_cluster_size;  // portable maximum
  int registers;         // 32-bit registers per SM
  int max_registers_per_thread;
  int register_alloc_unit;           // registers per warp allocation granule
  std::int64_t smem_capacity_bytes;  // per SM, usable by CTAs
  std::int64_t smem_per_block_max_bytes;
  std::int64_t smem_reserved_per_block_bytes;
  double smem_bytes_per_clk;  // shared-memory bandwidth per SM
  double smem_latency_cycles;
  double l1_hit_latency_cycles;
  double peer_copy_GBps;  // one SM copying to peer/RDMA buffers (comm kernels)
};

struct TensorCoreParams {
  // Dense MMA rates per SM per SM clock (all four sub-partition tensor cores).
  double fp8_flop_per_clk;
  double bf16_flop_per_clk;
  double fp16_flop_per_clk;
  double tf32_flop_per_clk;
  double int8_op_per_clk;
  double wgmma_latency_cycles;      // issue-to-result latency of m64n256k16 BF16 / k32 FP8
  double wgmma_min_latency_cycles;  // latency floor for small N
  // FP8 numerics and the features the DeepSeek-V3 proposals add (hw_proposals/).
  int fp8_accum_fraction_bits = 0;       // Hopper: 13 (FP22 accumulator)
  bool group_scaled_mma = false;         // scales applied inside the MMA: no CUDA-core promotion
  double group_scale_cycles = 0;         // tensor-pipe cycles per wgmma to apply them
  bool transposed_fp8_operands = false;  // MN-major FP8 operands read from shared memory
  double flop_per_clk(DataType t) const;
};

struct CudaCoreParams {
  double fp32_flop_per_clk;  // per SM (FMA = 2 FLOP)
  double int32_op_per_clk;
  double sfu_op_per_clk;
  double fp32_latency_cycles;
  double ldst_op_per_clk;  // per SM load/store instructions' lanes per clock
};

struct TmaParams {
  double issue_cycles;                // per box issued by one thread
  double extra_latency_cycles;        // beyond a plain global load
  int max_inflight_per_sm;            // boxes in flight per SM
  double bytes_per_clk;               // per SM, into shared memory
  std::string implementation;         // registered TMA unit (sim/gpu/units/implementations.hpp)
  double fp8_cast_bytes_per_clk = 0;  // BF16 bytes cast to FP8 per clock per SM (0: TMA cannot cast)
};

struct L2Params {
  std::int64_t size_bytes;
  int partitions;
  int slices;
  int line_bytes;
  int sector_bytes;
  double bytes_per_clk;             // aggregate, at the SM clock
  double hit_latency_cycles;        // near partition
  double far_extra_latency_cycles;  // added for the far partition
  // Read coalescing: a read of a chunk that reaches its slice group within
  // coalesce_window_cycles of the read that last fetched it from the slice's
  // data array shares that access and costs coalesced_read_fraction of a read
  // (0 cycles: no coalescing). docs/engine.md, "Coalesced reads".
  double coalesce_window_cycles = 0;
  double coalesced_read_fraction = 1;
  // Slice time of a reduction (red.global.add) per byte, as a multiple of a
  // read's: the slice reads, adds and writes the line back.
  double reduction_cost_factor = 1;
  // L2 read bandwidth reachable from a subset of the SMs (measured on green
  // contexts of subset_sms[i] SMs: subset_read_GBps[i]); the last entry is
  // the whole GPU. A launch on fewer SMs gets the interpolated share.
  std::vector<double> subset_sms;
  std::vector<double> subset_read_GBps;
};

struct HbmParams {
  double capacity_GB;
  int stacks;
  int channels;
  int bus_width_bits;
  double bandwidth_GBps;               // datasheet peak
  double read_efficiency;              // sustained fraction of peak for streaming reads
  double write_efficiency;             // ... for streaming writes
  double copy_efficiency;              // ... for a 50/50 read/write mix
  double latency_ns;                   // load-to-use beyond an L2 miss
  std::string implementation;          // registered HBM read path (sim/gpu/units/implementations.hpp)
  double near_memory_cast_GBps = 0;    // BF16 bytes/s cast to FP8 beside the HBM (0: none)
  double internal_bandwidth_GBps = 0;  // inside the stacks, for near-memory logic
};

struct NvlinkParams {
  int version;
  int links;
  double link_unidir_GBps;
  double nominal_bidir_GBps;    // datasheet total, both directions
  double achieved_unidir_GBps;  // what software reaches one way
  double latency_us;
};

struct PcieParams {
  int gen;
  int lanes;
  double unidir_GBps;
};

struct NicParams {
  int per_gpu;
  double line_rate_Gbps;
  double effective_GBps;
  double latency_us;
  double message_overhead_ns;  // NIC occupancy per message, 1 / message rate
  // The unified scale-up/scale-out adapter of the unified_scaleup_scaleout
  // proposal (hw_proposals/): off on every real GPU.
  bool unified_scaleup_scaleout = false;  // forwards IB arrivals over NVLink without an SM hop
  double adapter_latency_us = 0;          // added by its forwarding hop
};

struct FabricParams {
  int gpus_per_node;             // NVSwitch domain
  int planes;                    // multi-plane fat-tree: one plane per in-node GPU index
  int switch_ports;              // radix of leaf and spine switches
  double cross_leaf_latency_us;  // small-message latency through a spine
};

// A communication co-processor (the comm_offload proposal, hw_proposals/):
// absent on every real GPU. It does the forwarding, RDMA-buffer copies and
// combine reductions that DeepEP does on SMs.
struct CommCoprocessorParams {
  bool present = false;
  double throughput_GBps = 0;  // all roles together
  double latency_us = 0;       // command latency, once per kernel
};

struct LaunchParams {
  double overhead_us;  // back-to-back kernel launch gap on a stream
  // What a profiler's span of a kernel (CUPTI's start to end) holds beyond
  // its CTAs' work: the front end starting the grid and the kernel's
  // completion. Part of overhead_us; only profiler traces see it separately.
  double profiler_span_us;
};

struct PowerParams {
  double tdp_W;
  double fp8_mma_full_load_MHz;      // clock at the cap with FP8 tensor cores fully busy (models/power/dvfs.hpp)
  double bf16_mma_full_load_MHz;     // ... BF16
  double dvfs_exponent;              // power ~ f^e
  double hbm_budget_share_per_TBps;  // budget share drawn by HBM traffic per TB/s, independent of the SM clock
  double l2_budget_share_per_TBps;   // ... by L2-hit traffic (reads served by the L2) per TB/s
  double response_tau_ms;            // how fast the budget follows the power drawn (models/power/controller.hpp)
  double rested_headroom;            // budget of a rested GPU above the sustained one: 1 + this
  double fast_budget;                // the most budget a rested GPU allows, in units of the sustained one
  // The time a launch waits for the GPU to wake after idle time: wake_latency_us[i]
  // after wake_idle_ms[i] of idle GPU, interpolated linearly (models/power/controller.hpp).
  std::vector<double> wake_idle_ms;
  std::vector<double> wake_latency_us;
};

struct HardwareSpec {
  std::string name;  // preset name, e.g. "h800-sxm"
  std::string display_name;
  std::vector<std::string> inherits_chain;  // this preset first, then its ancestors
  ClockParams clock;
  SmParams sm;
  TensorCoreParams tensor_core;
  CudaCoreParams cuda_core;
  TmaParams tma;
  L2Params l2;
  HbmParams hbm;
  NvlinkParams nvlink;
  PcieParams pcie;
  NicParams nic;
  FabricParams fabric;
  CommCoprocessorParams comm_coprocessor;
  LaunchParams launch;
  PowerParams power;
  ParamTable params;  // the resolved table it came from (with sources)

  static HardwareSpec from_params(std::string name, std::string display_name, std::vector<std::string> chain,
                                  ParamTable params);

  // Share of the L2 bandwidth a launch on `sms` SMs can draw (1 on all of
  // them): linear between the measured subsets, proportional to the SM count
  // below the smallest (l2.subset_sms / l2.subset_read_GBps).
  double l2_reach_fraction(int sms) const;
  double sm_clock_hz() const { return clock.sm_MHz * 1e6; }
  double peak_flops(DataType t) const;  // dense FLOP/s over all SMs at clock.sm_MHz
  double hbm_bytes_per_s() const { return hbm.bandwidth_GBps * 1e9; }
};

}  // namespace hwsim
