#include "models/spec/hardware_spec.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <utility>

#include "models/spec/error.hpp"

namespace hwsim {
namespace {

using enum ValueKind;
using enum Rule;

// The value kind a member's C++ type holds; a row whose kind disagrees fails
// to compile (the static_assert below kSchema).
template <class T>
constexpr ValueKind kind_of() {
  if constexpr (std::is_same_v<T, double>) {
    return kNumber;
  } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, std::int64_t>) {
    return kInteger;
  } else if constexpr (std::is_same_v<T, bool>) {
    return kFlag;
  } else if constexpr (std::is_same_v<T, std::string>) {
    return kText;
  } else if constexpr (std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<int>>) {
    return kNumberList;
  } else {
    static_assert(sizeof(T) == 0, "HWSIM_MEMBER names a member of a type no read_into() fills");
  }
}

// An int member refuses what does not fit rather than wrapping: the loader
// only checks that the number is whole.
int to_int(double d, const ParamTable& p, const std::string& key, const std::string& entry) {
  constexpr int kMin = std::numeric_limits<int>::min();
  constexpr int kMax = std::numeric_limits<int>::max();
  if (std::floor(d) != d || d < kMin || d > kMax) {
    throw Error(
        fmt::format("hardware parameter '{}' ({}){} must be a whole number from {} to {} (it fills a 32-bit "
                    "member), got {}",
                    key, p.at(key).origin, entry, kMin, kMax, d));
  }
  return static_cast<int>(d);
}

// Reads `key` into a member of each C++ type a row may name.
void read_into(double& m, const ParamTable& p, const std::string& key) { m = p.number(key); }
void read_into(int& m, const ParamTable& p, const std::string& key) { m = to_int(p.number(key), p, key, ""); }
void read_into(std::int64_t& m, const ParamTable& p, const std::string& key) { m = p.integer(key); }
void read_into(bool& m, const ParamTable& p, const std::string& key) { m = p.flag(key); }
void read_into(std::string& m, const ParamTable& p, const std::string& key) { m = p.text(key); }
void read_into(std::vector<double>& m, const ParamTable& p, const std::string& key) { m = p.numbers(key); }
void read_into(std::vector<int>& m, const ParamTable& p, const std::string& key) {
  const std::vector<double> v = p.numbers(key);
  m.clear();
  for (size_t i = 0; i < v.size(); ++i) m.push_back(to_int(v[i], p, key, fmt::format(" entry {}", i)));
}

// The member's value as the table holds it, so tests compare the two.
ParamValue value_of(double v) { return v; }
ParamValue value_of(int v) { return static_cast<double>(v); }
ParamValue value_of(std::int64_t v) { return static_cast<double>(v); }
ParamValue value_of(bool v) { return v; }
ParamValue value_of(const std::string& v) { return v; }
ParamValue value_of(const std::vector<double>& v) { return v; }
ParamValue value_of(const std::vector<int>& v) { return std::vector<double>(v.begin(), v.end()); }

template <auto Section, auto Field>
constexpr ParamMember member_of() {
  using T = std::remove_cvref_t<decltype(std::declval<HardwareSpec&>().*Section.*Field)>;
  return {kind_of<T>(),
          [](HardwareSpec& s, const ParamTable& p, const std::string& key) { read_into(s.*Section.*Field, p, key); },
          [](const HardwareSpec& s) { return value_of(s.*Section.*Field); }};
}

// The member of HardwareSpec::section that a row fills, e.g.
// HWSIM_MEMBER(tensor_core, fp8_flop_per_clk).
#define HWSIM_MEMBER(section, field) member_of<&HardwareSpec::section, &decltype(HardwareSpec::section)::field>()

// Bounds shared by many rows (docs/reliability.md). Rates from 1 MB/s (or
// 0.001 byte per clock) to 1 PB/s keep a transfer of the whole HBM within a
// 64-bit Tick; latencies start at 0.001 of their unit; sizes stop at 16 GiB of
// L2 and 1 GiB of shared memory, far beyond any GPU, so that products of
// sizes and counts stay exact in 64 bits.
constexpr double kMinRate = 1e-3;
constexpr double kMaxRate = 1e6;
constexpr double kMinTime = 1e-3;
constexpr double kGiB = 1073741824.0;

// The GPU description's keys, one row each: key, value kind, rule, the one-line
// description (`hwsim gpus schema`, docs/hardware.md) and the member it fills.
// lo and hi bound every value (ParamDef); a key's range is shown by `hwsim gpus
// schema` and checked by the loader before any value is narrowed.
constexpr std::array kSchema = {
    ParamDef{"clock.sm_max_MHz", kNumber, kPositive, 1, 10000, "maximum (boost) SM clock",
             HWSIM_MEMBER(clock, sm_max_MHz)},
    ParamDef{"clock.sm_MHz", kNumber, kPositive, 1, 10000, "SM clock the simulation runs at",
             HWSIM_MEMBER(clock, sm_MHz)},
    ParamDef{"clock.mem_MHz", kNumber, kPositive, 1, 10000, "HBM clock reported by the driver",
             HWSIM_MEMBER(clock, mem_MHz)},

    ParamDef{"sm.count", kInteger, kPositive, 1, 4096, "streaming multiprocessors enabled", HWSIM_MEMBER(sm, count)},
    ParamDef{"sm.gpcs", kInteger, kPositive, 1, 256, "graphics processing clusters", HWSIM_MEMBER(sm, gpcs)},
    ParamDef{"sm.sms_per_gpc", kNumberList, kPositive, 1, 4096, "SMs in each GPC (clusters are placed within one GPC)",
             HWSIM_MEMBER(sm, sms_per_gpc)},
    ParamDef{"sm.subpartitions", kInteger, kPositive, 1, 16, "sub-partitions (warp schedulers, tensor cores) per SM",
             HWSIM_MEMBER(sm, subpartitions)},
    ParamDef{"sm.max_threads", kInteger, kPositive, 1, 65536, "resident threads per SM", HWSIM_MEMBER(sm, max_threads)},
    ParamDef{"sm.max_warps", kInteger, kPositive, 1, 2048, "resident warps per SM", HWSIM_MEMBER(sm, max_warps)},
    ParamDef{"sm.max_ctas", kInteger, kPositive, 1, 1024, "resident thread blocks per SM", HWSIM_MEMBER(sm, max_ctas)},
    ParamDef{"sm.max_cluster_size", kInteger, kPositive, 1, 64, "portable maximum thread-block cluster size",
             HWSIM_MEMBER(sm, max_cluster_size)},
    ParamDef{"sm.registers", kInteger, kPositive, 1, 1 << 24, "32-bit registers per SM", HWSIM_MEMBER(sm, registers)},
    ParamDef{"sm.max_registers_per_thread", kInteger, kPositive, 1, 65536, "registers one thread may hold",
             HWSIM_MEMBER(sm, max_registers_per_thread)},
    ParamDef{"sm.register_alloc_unit", kInteger, kPositive, 1, 65536, "register allocation granule per warp",
             HWSIM_MEMBER(sm, register_alloc_unit)},
    ParamDef{"sm.smem_capacity_bytes", kInteger, kPositive, 1, kGiB, "shared memory per SM available to CTAs",
             HWSIM_MEMBER(sm, smem_capacity_bytes)},
    ParamDef{"sm.smem_per_block_max_bytes", kInteger, kPositive, 1, kGiB, "largest opt-in shared memory of one CTA",
             HWSIM_MEMBER(sm, smem_per_block_max_bytes)},
    ParamDef{"sm.smem_reserved_per_block_bytes", kInteger, kNonNegative, 0, kGiB,
             "shared memory the system reserves per CTA", HWSIM_MEMBER(sm, smem_reserved_per_block_bytes)},
    ParamDef{"sm.smem_bytes_per_clk", kNumber, kPositive, kMinRate, kMaxRate, "shared-memory bandwidth per SM",
             HWSIM_MEMBER(sm, smem_bytes_per_clk)},
    ParamDef{"sm.smem_latency_cycles", kNumber, kPositive, kMinTime, 1e+06, "shared-memory load latency",
             HWSIM_MEMBER(sm, smem_latency_cycles)},
    ParamDef{"sm.l1_hit_latency_cycles", kNumber, kPositive, kMinTime, 1e+06, "L1 hit latency",
             HWSIM_MEMBER(sm, l1_hit_latency_cycles)},
    ParamDef{"sm.peer_copy_GBps", kNumber, kPositive, kMinRate, kMaxRate,
             "load-store copy rate of one SM to peer or RDMA buffers", HWSIM_MEMBER(sm, peer_copy_GBps)},

    ParamDef{"tensor_core.fp8_flop_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "dense FP8 MMA FLOP per clock per SM", HWSIM_MEMBER(tensor_core, fp8_flop_per_clk)},
    ParamDef{"tensor_core.bf16_flop_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "dense BF16 MMA FLOP per clock per SM", HWSIM_MEMBER(tensor_core, bf16_flop_per_clk)},
    ParamDef{"tensor_core.fp16_flop_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "dense FP16 MMA FLOP per clock per SM", HWSIM_MEMBER(tensor_core, fp16_flop_per_clk)},
    ParamDef{"tensor_core.tf32_flop_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "dense TF32 MMA FLOP per clock per SM", HWSIM_MEMBER(tensor_core, tf32_flop_per_clk)},
    ParamDef{"tensor_core.int8_op_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "dense INT8 MMA operations per clock per SM", HWSIM_MEMBER(tensor_core, int8_op_per_clk)},
    ParamDef{"tensor_core.wgmma_latency_cycles", kNumber, kPositive, kMinTime, 1e+06,
             "latency of the largest wgmma (m64n256)", HWSIM_MEMBER(tensor_core, wgmma_latency_cycles)},
    ParamDef{"tensor_core.wgmma_min_latency_cycles", kNumber, kPositive, kMinTime, 1e+06,
             "latency floor of a small wgmma", HWSIM_MEMBER(tensor_core, wgmma_min_latency_cycles)},
    ParamDef{"tensor_core.fp8_accum_fraction_bits", kInteger, kPositive, 1, 52,
             "fraction bits the FP8 MMA accumulator keeps", HWSIM_MEMBER(tensor_core, fp8_accum_fraction_bits)},
    ParamDef{"tensor_core.group_scaled_mma", kFlag, kAny, 0, 0, "MMA applies per-group (1x128 / 128x128) scales itself",
             HWSIM_MEMBER(tensor_core, group_scaled_mma)},
    ParamDef{"tensor_core.group_scale_cycles", kNumber, kNonNegative, 0, 1e+06,
             "tensor-pipe cycles per wgmma to apply group scales", HWSIM_MEMBER(tensor_core, group_scale_cycles)},
    ParamDef{"tensor_core.transposed_fp8_operands", kFlag, kAny, 0, 0,
             "wgmma reads FP8 operands MN-major (transposed) from shared memory",
             HWSIM_MEMBER(tensor_core, transposed_fp8_operands)},

    ParamDef{"cuda_core.fp32_flop_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "FP32 FLOP per clock per SM (FMA = 2)", HWSIM_MEMBER(cuda_core, fp32_flop_per_clk)},
    ParamDef{"cuda_core.int32_op_per_clk", kNumber, kPositive, kMinRate, kMaxRate, "INT32 operations per clock per SM",
             HWSIM_MEMBER(cuda_core, int32_op_per_clk)},
    ParamDef{"cuda_core.sfu_op_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "special-function operations per clock per SM", HWSIM_MEMBER(cuda_core, sfu_op_per_clk)},
    ParamDef{"cuda_core.fp32_latency_cycles", kNumber, kPositive, kMinTime, 1e+06, "dependent FP32 instruction latency",
             HWSIM_MEMBER(cuda_core, fp32_latency_cycles)},
    ParamDef{"cuda_core.ldst_op_per_clk", kNumber, kPositive, kMinRate, kMaxRate, "load/store lanes per clock per SM",
             HWSIM_MEMBER(cuda_core, ldst_op_per_clk)},

    ParamDef{"tma.issue_cycles", kNumber, kPositive, kMinTime, 1e+06, "cycles to issue one TMA box",
             HWSIM_MEMBER(tma, issue_cycles)},
    ParamDef{"tma.extra_latency_cycles", kNumber, kNonNegative, 0, 1e+06, "TMA latency beyond a plain global load",
             HWSIM_MEMBER(tma, extra_latency_cycles)},
    ParamDef{"tma.max_inflight_per_sm", kInteger, kPositive, 1, 65536, "TMA boxes in flight per SM",
             HWSIM_MEMBER(tma, max_inflight_per_sm)},
    ParamDef{"tma.bytes_per_clk", kNumber, kPositive, kMinRate, kMaxRate,
             "TMA fill bandwidth per SM into shared memory", HWSIM_MEMBER(tma, bytes_per_clk)},
    ParamDef{"tma.implementation", kText, kAny, 0, 0,
             "TMA implementation: standard (Hopper's), or one a hardware proposal registers (docs/engine.md)",
             HWSIM_MEMBER(tma, implementation)},
    ParamDef{"tma.fp8_cast_bytes_per_clk", kNumber, kNonNegative, kMinRate, kMaxRate,
             "BF16 input bytes per clock the TMA casts to FP8 + 1x128 scales (0: no cast)",
             HWSIM_MEMBER(tma, fp8_cast_bytes_per_clk)},

    ParamDef{"l2.size_bytes", kInteger, kPositive, 1, 16 * kGiB, "L2 capacity", HWSIM_MEMBER(l2, size_bytes)},
    ParamDef{"l2.partitions", kInteger, kPositive, 1, 64, "L2 partitions", HWSIM_MEMBER(l2, partitions)},
    ParamDef{"l2.slices", kInteger, kPositive, 1, 4096, "address-hashed L2 slices", HWSIM_MEMBER(l2, slices)},
    ParamDef{"l2.line_bytes", kInteger, kPositive, 1, 65536, "L2 line", HWSIM_MEMBER(l2, line_bytes)},
    ParamDef{"l2.sector_bytes", kInteger, kPositive, 1, 65536, "L2 sector (smallest transfer)",
             HWSIM_MEMBER(l2, sector_bytes)},
    ParamDef{"l2.bytes_per_clk", kNumber, kPositive, kMinRate, kMaxRate, "aggregate L2 bandwidth per SM clock",
             HWSIM_MEMBER(l2, bytes_per_clk)},
    ParamDef{"l2.hit_latency_cycles", kNumber, kPositive, kMinTime, 1e+06, "L2 hit latency, near partition",
             HWSIM_MEMBER(l2, hit_latency_cycles)},
    ParamDef{"l2.far_extra_latency_cycles", kNumber, kNonNegative, 0, 1e+06,
             "extra latency of a hit in the far partition", HWSIM_MEMBER(l2, far_extra_latency_cycles)},
    ParamDef{"l2.coalesce_window_cycles", kNumber, kNonNegative, 0, 1e+06,
             "a read this close behind the read that fetched its chunk shares that access (0: none)",
             HWSIM_MEMBER(l2, coalesce_window_cycles)},
    ParamDef{"l2.coalesced_read_fraction", kNumber, kFraction, 0, 1,
             "slice time a coalesced read costs, as a share of a read", HWSIM_MEMBER(l2, coalesced_read_fraction)},
    ParamDef{"l2.reduction_cost_factor", kNumber, kPositive, 0.01, 100,
             "slice time per byte of a reduction (red.global.add), as a multiple of a read's",
             HWSIM_MEMBER(l2, reduction_cost_factor)},
    ParamDef{"l2.subset_sms", kNumberList, kPositive, 1, 4096,
             "SM counts of the subsets whose L2 read bandwidth is listed (ascending, the last = sm.count)",
             HWSIM_MEMBER(l2, subset_sms)},
    ParamDef{"l2.subset_read_GBps", kNumberList, kPositive, kMinRate, kMaxRate,
             "L2 read bandwidth reachable from each subset of l2.subset_sms", HWSIM_MEMBER(l2, subset_read_GBps)},

    ParamDef{"hbm.capacity_GB", kNumber, kPositive, 0.001, 65536, "HBM capacity", HWSIM_MEMBER(hbm, capacity_GB)},
    ParamDef{"hbm.stacks", kInteger, kPositive, 1, 64, "HBM stacks", HWSIM_MEMBER(hbm, stacks)},
    ParamDef{"hbm.channels", kInteger, kPositive, 1, 65536, "independent HBM channels", HWSIM_MEMBER(hbm, channels)},
    ParamDef{"hbm.bus_width_bits", kInteger, kPositive, 1, 1 << 20, "total memory bus width",
             HWSIM_MEMBER(hbm, bus_width_bits)},
    ParamDef{"hbm.bandwidth_GBps", kNumber, kPositive, kMinRate, kMaxRate, "peak HBM bandwidth (datasheet)",
             HWSIM_MEMBER(hbm, bandwidth_GBps)},
    ParamDef{"hbm.read_efficiency_fraction", kNumber, kFraction, 0, 1, "sustained fraction of peak, streaming reads",
             HWSIM_MEMBER(hbm, read_efficiency)},
    ParamDef{"hbm.write_efficiency_fraction", kNumber, kFraction, 0, 1, "sustained fraction of peak, streaming writes",
             HWSIM_MEMBER(hbm, write_efficiency)},
    ParamDef{"hbm.copy_efficiency_fraction", kNumber, kFraction, 0, 1, "sustained fraction of peak, 1:1 read/write",
             HWSIM_MEMBER(hbm, copy_efficiency)},
    ParamDef{"hbm.latency_ns", kNumber, kPositive, kMinTime, 1e+09, "load latency of an L2 miss",
             HWSIM_MEMBER(hbm, latency_ns)},
    ParamDef{"hbm.implementation", kText, kAny, 0, 0,
             "HBM read path: standard (stacks without logic), or one a hardware proposal registers",
             HWSIM_MEMBER(hbm, implementation)},
    ParamDef{"hbm.near_memory_cast_GBps", kNumber, kNonNegative, kMinRate, kMaxRate,
             "BF16 bytes per second logic beside HBM casts to FP8 on read (0: none)",
             HWSIM_MEMBER(hbm, near_memory_cast_GBps)},
    ParamDef{"hbm.internal_bandwidth_GBps", kNumber, kPositive, kMinRate, kMaxRate,
             "bandwidth inside the stacks, available to near-memory logic", HWSIM_MEMBER(hbm, internal_bandwidth_GBps)},

    ParamDef{"nvlink.version", kInteger, kPositive, 1, 100, "NVLink generation", HWSIM_MEMBER(nvlink, version)},
    ParamDef{"nvlink.links", kInteger, kPositive, 1, 1024, "NVLink links per GPU", HWSIM_MEMBER(nvlink, links)},
    ParamDef{"nvlink.link_unidir_GBps", kNumber, kPositive, kMinRate, kMaxRate, "one link, one direction",
             HWSIM_MEMBER(nvlink, link_unidir_GBps)},
    ParamDef{"nvlink.nominal_bidir_GBps", kNumber, kPositive, kMinRate, kMaxRate, "nominal total, both directions",
             HWSIM_MEMBER(nvlink, nominal_bidir_GBps)},
    ParamDef{"nvlink.achieved_unidir_GBps", kNumber, kPositive, kMinRate, kMaxRate,
             "achieved by software, one direction", HWSIM_MEMBER(nvlink, achieved_unidir_GBps)},
    ParamDef{"nvlink.latency_us", kNumber, kPositive, kMinTime, 1e+06, "small-message end-to-end latency",
             HWSIM_MEMBER(nvlink, latency_us)},

    ParamDef{"pcie.gen", kInteger, kPositive, 1, 100, "PCIe generation", HWSIM_MEMBER(pcie, gen)},
    ParamDef{"pcie.lanes", kInteger, kPositive, 1, 256, "PCIe lanes", HWSIM_MEMBER(pcie, lanes)},
    ParamDef{"pcie.unidir_GBps", kNumber, kPositive, kMinRate, kMaxRate, "PCIe bandwidth, one direction",
             HWSIM_MEMBER(pcie, unidir_GBps)},

    ParamDef{"nic.per_gpu", kInteger, kNonNegative, 0, 64, "scale-out NICs per GPU", HWSIM_MEMBER(nic, per_gpu)},
    ParamDef{"nic.line_rate_Gbps", kNumber, kPositive, kMinRate, kMaxRate, "NIC line rate",
             HWSIM_MEMBER(nic, line_rate_Gbps)},
    ParamDef{"nic.effective_GBps", kNumber, kPositive, kMinRate, kMaxRate, "NIC bandwidth software reaches",
             HWSIM_MEMBER(nic, effective_GBps)},
    ParamDef{"nic.latency_us", kNumber, kPositive, kMinTime, 1e+06, "small-message end-to-end latency",
             HWSIM_MEMBER(nic, latency_us)},
    ParamDef{"nic.message_overhead_ns", kNumber, kNonNegative, 0, 1e+09, "NIC time per message (inverse message rate)",
             HWSIM_MEMBER(nic, message_overhead_ns)},
    ParamDef{"nic.unified_scaleup_scaleout", kFlag, kAny, 0, 0,
             "one adapter joins NVLink and IB: it forwards IB arrivals to the node's GPUs itself",
             HWSIM_MEMBER(nic, unified_scaleup_scaleout)},
    ParamDef{"nic.adapter_latency_us", kNumber, kNonNegative, 0, 1e+06,
             "extra latency of the unified adapter's forwarding hop (0 without one)",
             HWSIM_MEMBER(nic, adapter_latency_us)},

    ParamDef{"fabric.gpus_per_node", kInteger, kPositive, 1, 65536, "GPUs joined by NVLink/NVSwitch in one node",
             HWSIM_MEMBER(fabric, gpus_per_node)},
    ParamDef{"fabric.planes", kInteger, kPositive, 1, 1024, "independent scale-out network planes",
             HWSIM_MEMBER(fabric, planes)},
    ParamDef{"fabric.switch_ports", kInteger, kPositive, 1, 65536, "ports of one scale-out switch (leaf and spine)",
             HWSIM_MEMBER(fabric, switch_ports)},
    ParamDef{"fabric.cross_leaf_latency_us", kNumber, kPositive, kMinTime, 1e+06,
             "small-message latency through a spine", HWSIM_MEMBER(fabric, cross_leaf_latency_us)},

    ParamDef{"comm_coprocessor.present", kFlag, kAny, 0, 0,
             "a co-processor does the EP all-to-all's forwarding, buffer copies and reductions",
             HWSIM_MEMBER(comm_coprocessor, present)},
    ParamDef{"comm_coprocessor.throughput_GBps", kNumber, kNonNegative, kMinRate, kMaxRate,
             "bytes per second the co-processor copies, all roles together (0 without one)",
             HWSIM_MEMBER(comm_coprocessor, throughput_GBps)},
    ParamDef{"comm_coprocessor.latency_us", kNumber, kNonNegative, 0, 1e+06,
             "command latency of the co-processor, once per kernel (0 without one)",
             HWSIM_MEMBER(comm_coprocessor, latency_us)},

    ParamDef{"launch.overhead_us", kNumber, kNonNegative, 0, 1e+06, "gap between back-to-back kernels on a stream",
             HWSIM_MEMBER(launch, overhead_us)},
    ParamDef{"launch.profiler_span_us", kNumber, kNonNegative, 0, 1e+06,
             "a profiler's span of a kernel beyond its CTAs' work (grid start and completion)",
             HWSIM_MEMBER(launch, profiler_span_us)},
    ParamDef{"power.tdp_W", kNumber, kPositive, 1, 100000, "board power limit", HWSIM_MEMBER(power, tdp_W)},
    ParamDef{"power.fp8_mma_full_load_MHz", kNumber, kPositive, 1, 10000,
             "SM clock sustained with FP8 tensor cores 100% busy", HWSIM_MEMBER(power, fp8_mma_full_load_MHz)},
    ParamDef{"power.bf16_mma_full_load_MHz", kNumber, kPositive, 1, 10000,
             "SM clock sustained with BF16 tensor cores 100% busy", HWSIM_MEMBER(power, bf16_mma_full_load_MHz)},
    ParamDef{"power.dvfs_exponent", kNumber, kPositive, 0.001, 100, "power ~ clock^e along the DVFS curve",
             HWSIM_MEMBER(power, dvfs_exponent)},
    ParamDef{"power.hbm_budget_share_per_TBps", kNumber, kNonNegative, 0, 100,
             "power-budget share HBM traffic draws per TB/s", HWSIM_MEMBER(power, hbm_budget_share_per_TBps)},
    ParamDef{"power.l2_budget_share_per_TBps", kNumber, kNonNegative, 0, 100,
             "power-budget share L2-hit traffic draws per TB/s", HWSIM_MEMBER(power, l2_budget_share_per_TBps)},
    ParamDef{"power.response_tau_ms", kNumber, kPositive, kMinTime, 1e+06,
             "time constant of the budget's response to the power drawn", HWSIM_MEMBER(power, response_tau_ms)},
    ParamDef{"power.rested_headroom", kNumber, kNonNegative, 0, 100,
             "budget of a rested GPU above the sustained one (budget 1 + this)", HWSIM_MEMBER(power, rested_headroom)},
    ParamDef{"power.wake_idle_ms", kNumberList, kNonNegative, 0, 1e+07,
             "idle times after which a launch's wake-up latency was measured (ascending)",
             HWSIM_MEMBER(power, wake_idle_ms)},
    ParamDef{"power.wake_latency_us", kNumberList, kNonNegative, 0, 1e+06,
             "wake-up latency of a launch after each idle time of power.wake_idle_ms",
             HWSIM_MEMBER(power, wake_latency_us)},
    ParamDef{"power.fast_budget", kNumber, kPositive, 0.001, 100,
             "the most budget a rested GPU allows, in units of the sustained budget", HWSIM_MEMBER(power, fast_budget)},
};

#undef HWSIM_MEMBER

constexpr bool kinds_match_members() {
  for (const ParamDef& d : kSchema) {
    if (d.kind != d.member.kind) return false;
  }
  return true;
}
static_assert(kinds_match_members(), "a schema row's value kind differs from its member's type");

void check_gpcs(const HardwareSpec& s) {
  const int gpc_sum = std::accumulate(s.sm.sms_per_gpc.begin(), s.sm.sms_per_gpc.end(), 0);
  if (static_cast<int>(s.sm.sms_per_gpc.size()) != s.sm.gpcs || gpc_sum != s.sm.count) {
    throw Error(
        fmt::format("{}: sm.sms_per_gpc must list sm.gpcs = {} entries summing to sm.count = {}; "
                    "it lists {} summing to {}",
                    s.name, s.sm.gpcs, s.sm.count, s.sm.sms_per_gpc.size(), gpc_sum));
  }
}

// A table of two lists read pairwise: both non-empty, of one length.
void check_table_lengths(const HardwareSpec& s, const char* key_x, const std::vector<double>& x, const char* key_y,
                         const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size()) {
    throw Error(fmt::format("{}: {} ({} entries) and {} ({} entries) must be non-empty lists of the same length",
                            s.name, key_x, x.size(), key_y, y.size()));
  }
}

void check_l2_subsets(const HardwareSpec& s) {
  const auto& n = s.l2.subset_sms;
  check_table_lengths(s, "l2.subset_sms", n, "l2.subset_read_GBps", s.l2.subset_read_GBps);
  for (size_t i = 0; i < n.size(); ++i) {
    if (n[i] != std::floor(n[i]) || (i > 0 && !(n[i] > n[i - 1]))) {
      throw Error(
          fmt::format("{}: l2.subset_sms must be whole SM counts in ascending order; entry {} is {}", s.name, i, n[i]));
    }
  }
  if (static_cast<int>(n.back()) != s.sm.count) {
    throw Error(fmt::format("{}: l2.subset_sms must end with the whole GPU, sm.count = {}; it ends with {}", s.name,
                            s.sm.count, n.back()));
  }
}

void check_wake_table(const HardwareSpec& s) {
  const auto& idle = s.power.wake_idle_ms;
  check_table_lengths(s, "power.wake_idle_ms", idle, "power.wake_latency_us", s.power.wake_latency_us);
  for (size_t i = 1; i < idle.size(); ++i) {
    if (!(idle[i] > idle[i - 1])) {
      throw Error(fmt::format("{}: power.wake_idle_ms must be in ascending order; entry {} is {} after {}", s.name, i,
                              idle[i], idle[i - 1]));
    }
  }
}

// Cross-parameter rules: checked here so every loader path gets them.
void check_cross_rules(const HardwareSpec& s) {
  check_gpcs(s);
  check_l2_subsets(s);
  check_wake_table(s);
  if (s.clock.sm_MHz > s.clock.sm_max_MHz) {
    throw Error(fmt::format("{}: clock.sm_MHz = {} must not exceed clock.sm_max_MHz = {}", s.name, s.clock.sm_MHz,
                            s.clock.sm_max_MHz));
  }
  if (s.sm.smem_per_block_max_bytes > s.sm.smem_capacity_bytes) {
    throw Error(s.name + ": sm.smem_per_block_max_bytes must not exceed sm.smem_capacity_bytes");
  }
  // A co-processor that is there must move data: a zero rate would make every
  // all-to-all take forever rather than fail where the mistake is.
  if (s.comm_coprocessor.present && !(s.comm_coprocessor.throughput_GBps > 0)) {
    throw Error(
        fmt::format("{}: comm_coprocessor.present is true, so comm_coprocessor.throughput_GBps must be > 0 "
                    "(it is {})",
                    s.name, s.comm_coprocessor.throughput_GBps));
  }
}

}  // namespace

std::span<const ParamDef> gpu_param_schema() { return kSchema; }

std::string_view rule_text(Rule r) {
  switch (r) {
    case kAny:
      return "any value";
    case kPositive:
      return "must be > 0";
    case kNonNegative:
      return "must be >= 0";
    case kFraction:
      return "must be in (0, 1]";
  }
  return "?";
}

namespace {

// A bound as people write it: 4096, 0.001, 1e+06.
std::string bound_text(double v) { return fmt::format("{}", v); }

}  // namespace

std::string range_text(const ParamDef& d) {
  if (d.rule == kAny || d.kind == kFlag || d.kind == kText) return "any";
  if (d.rule == kFraction) return "(0, 1]";
  const bool whole = d.kind == kInteger;
  const std::string span = whole ? fmt::format("{}..{}", bound_text(d.lo), bound_text(d.hi))
                                 : fmt::format("[{}, {}]", bound_text(d.lo), bound_text(d.hi));
  return d.rule == kNonNegative && d.lo > 0 ? "0 or " + span : span;
}

bool in_range(const ParamDef& d, double v) {
  if (d.rule == kAny || d.kind == kFlag || d.kind == kText) return true;
  if (!std::isfinite(v)) return false;
  if (d.rule == kFraction) return v > 0 && v <= 1;
  if (d.rule == kNonNegative && v == 0) return true;
  return v >= d.lo && v <= d.hi && (d.rule != kPositive || v > 0);
}

std::string_view to_string(ValueKind k) {
  switch (k) {
    case kNumber:
      return "number";
    case kInteger:
      return "integer";
    case kText:
      return "text";
    case kFlag:
      return "flag";
    case kNumberList:
      return "number list";
  }
  return "?";
}

std::string_view to_string(DataType t) {
  switch (t) {
    case DataType::kFp8E4M3:
      return "fp8_e4m3";
    case DataType::kFp8E5M2:
      return "fp8_e5m2";
    case DataType::kBf16:
      return "bf16";
    case DataType::kFp16:
      return "fp16";
    case DataType::kTf32:
      return "tf32";
    case DataType::kFp32:
      return "fp32";
    case DataType::kInt8:
      return "int8";
  }
  return "?";
}

DataType parse_data_type(std::string_view s, const std::string& where) {
  for (DataType t : {DataType::kFp8E4M3, DataType::kFp8E5M2, DataType::kBf16, DataType::kFp16, DataType::kTf32,
                     DataType::kFp32, DataType::kInt8}) {
    if (to_string(t) == s) return t;
  }
  throw Error(where + ": unknown data type '" + std::string(s) +
              "'; expected one of fp8_e4m3, fp8_e5m2, bf16, fp16, tf32, fp32, int8");
}

int bytes_of(DataType t) {
  switch (t) {
    case DataType::kFp8E4M3:
    case DataType::kFp8E5M2:
    case DataType::kInt8:
      return 1;
    case DataType::kBf16:
    case DataType::kFp16:
      return 2;
    case DataType::kTf32:
    case DataType::kFp32:
      return 4;
  }
  return 0;
}

double TensorCoreParams::flop_per_clk(DataType t) const {
  switch (t) {
    case DataType::kFp8E4M3:
    case DataType::kFp8E5M2:
      return fp8_flop_per_clk;
    case DataType::kBf16:
      return bf16_flop_per_clk;
    case DataType::kFp16:
      return fp16_flop_per_clk;
    case DataType::kTf32:
      return tf32_flop_per_clk;
    case DataType::kInt8:
      return int8_op_per_clk;
    case DataType::kFp32:
      break;
  }
  throw Error("tensor cores have no " + std::string(to_string(t)) + " MMA");
}

double HardwareSpec::peak_flops(DataType t) const { return tensor_core.flop_per_clk(t) * sm.count * sm_clock_hz(); }

HardwareSpec HardwareSpec::from_params(std::string name, std::string display_name, std::vector<std::string> chain,
                                       ParamTable p) {
  HardwareSpec s;
  s.name = std::move(name);
  s.display_name = std::move(display_name);
  s.inherits_chain = std::move(chain);

  // Each row fills its own member (no aggregate filled by position), in
  // schema order, so the first bad key is the one reported.
  for (const ParamDef& d : kSchema) d.member.set(s, p, std::string(d.key));
  check_cross_rules(s);
  s.params = std::move(p);
  return s;
}

double HardwareSpec::l2_reach_fraction(int sms) const {
  const auto& n = l2.subset_sms;
  const auto& bw = l2.subset_read_GBps;
  if (sms >= sm.count || n.empty()) return 1.0;
  const double whole = bw.back();
  const double x = static_cast<double>(sms);
  if (x <= n.front()) return bw.front() * x / n.front() / whole;
  for (size_t i = 1; i < n.size(); ++i) {
    if (x <= n[i]) {
      const double t = (x - n[i - 1]) / (n[i] - n[i - 1]);
      return (bw[i - 1] + t * (bw[i] - bw[i - 1])) / whole;
    }
  }
  return 1.0;
}

}  // namespace hwsim
