#include "models/spec/hardware_spec.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <numeric>

#include "models/spec/error.hpp"

namespace hwsim {
namespace {

using enum ValueKind;
using enum Rule;

// The GPU description's keys. docs/hardware.md explains each with its sources;
// tests/models/spec checks that the two agree.
constexpr std::array kSchema = {
    ParamDef{"clock.sm_max_MHz", kNumber, kPositive, "maximum (boost) SM clock"},
    ParamDef{"clock.sm_MHz", kNumber, kPositive, "SM clock the simulation runs at"},
    ParamDef{"clock.mem_MHz", kNumber, kPositive, "HBM clock reported by the driver"},

    ParamDef{"sm.count", kInteger, kPositive, "streaming multiprocessors enabled"},
    ParamDef{"sm.gpcs", kInteger, kPositive, "graphics processing clusters"},
    ParamDef{"sm.sms_per_gpc", kNumberList, kPositive, "SMs in each GPC (clusters are placed within one GPC)"},
    ParamDef{"sm.subpartitions", kInteger, kPositive, "sub-partitions (warp schedulers, tensor cores) per SM"},
    ParamDef{"sm.max_threads", kInteger, kPositive, "resident threads per SM"},
    ParamDef{"sm.max_warps", kInteger, kPositive, "resident warps per SM"},
    ParamDef{"sm.max_ctas", kInteger, kPositive, "resident thread blocks per SM"},
    ParamDef{"sm.max_cluster_size", kInteger, kPositive, "portable maximum thread-block cluster size"},
    ParamDef{"sm.registers", kInteger, kPositive, "32-bit registers per SM"},
    ParamDef{"sm.max_registers_per_thread", kInteger, kPositive, "registers one thread may hold"},
    ParamDef{"sm.register_alloc_unit", kInteger, kPositive, "register allocation granule per warp"},
    ParamDef{"sm.smem_capacity_bytes", kInteger, kPositive, "shared memory per SM available to CTAs"},
    ParamDef{"sm.smem_per_block_max_bytes", kInteger, kPositive, "largest opt-in shared memory of one CTA"},
    ParamDef{"sm.smem_reserved_per_block_bytes", kInteger, kNonNegative, "shared memory the system reserves per CTA"},
    ParamDef{"sm.smem_bytes_per_clk", kNumber, kPositive, "shared-memory bandwidth per SM"},
    ParamDef{"sm.smem_latency_cycles", kNumber, kPositive, "shared-memory load latency"},
    ParamDef{"sm.l1_hit_latency_cycles", kNumber, kPositive, "L1 hit latency"},
    ParamDef{"sm.peer_copy_GBps", kNumber, kPositive, "load-store copy rate of one SM to peer or RDMA buffers"},

    ParamDef{"tensor_core.fp8_flop_per_clk", kNumber, kPositive, "dense FP8 MMA FLOP per clock per SM"},
    ParamDef{"tensor_core.bf16_flop_per_clk", kNumber, kPositive, "dense BF16 MMA FLOP per clock per SM"},
    ParamDef{"tensor_core.fp16_flop_per_clk", kNumber, kPositive, "dense FP16 MMA FLOP per clock per SM"},
    ParamDef{"tensor_core.tf32_flop_per_clk", kNumber, kPositive, "dense TF32 MMA FLOP per clock per SM"},
    ParamDef{"tensor_core.int8_op_per_clk", kNumber, kPositive, "dense INT8 MMA operations per clock per SM"},
    ParamDef{"tensor_core.wgmma_latency_cycles", kNumber, kPositive, "latency of the largest wgmma (m64n256)"},
    ParamDef{"tensor_core.wgmma_min_latency_cycles", kNumber, kPositive, "latency floor of a small wgmma"},
    ParamDef{"tensor_core.fp8_accum_fraction_bits", kInteger, kPositive, "fraction bits the FP8 MMA accumulator keeps"},
    ParamDef{"tensor_core.group_scaled_mma", kFlag, kAny, "MMA applies per-group (1x128 / 128x128) scales itself"},
    ParamDef{"tensor_core.group_scale_cycles", kNumber, kNonNegative,
             "tensor-pipe cycles per wgmma to apply group scales"},
    ParamDef{"tensor_core.transposed_fp8_operands", kFlag, kAny,
             "wgmma reads FP8 operands MN-major (transposed) from shared memory"},

    ParamDef{"cuda_core.fp32_flop_per_clk", kNumber, kPositive, "FP32 FLOP per clock per SM (FMA = 2)"},
    ParamDef{"cuda_core.int32_op_per_clk", kNumber, kPositive, "INT32 operations per clock per SM"},
    ParamDef{"cuda_core.sfu_op_per_clk", kNumber, kPositive, "special-function operations per clock per SM"},
    ParamDef{"cuda_core.fp32_latency_cycles", kNumber, kPositive, "dependent FP32 instruction latency"},
    ParamDef{"cuda_core.ldst_op_per_clk", kNumber, kPositive, "load/store lanes per clock per SM"},

    ParamDef{"tma.issue_cycles", kNumber, kPositive, "cycles to issue one TMA box"},
    ParamDef{"tma.extra_latency_cycles", kNumber, kNonNegative, "TMA latency beyond a plain global load"},
    ParamDef{"tma.max_inflight_per_sm", kInteger, kPositive, "TMA boxes in flight per SM"},
    ParamDef{"tma.bytes_per_clk", kNumber, kPositive, "TMA fill bandwidth per SM into shared memory"},
    ParamDef{"tma.implementation", kText, kAny,
             "TMA implementation: standard (Hopper's), or one a hardware proposal registers (docs/engine.md)"},
    ParamDef{"tma.fp8_cast_bytes_per_clk", kNumber, kNonNegative,
             "BF16 input bytes per clock the TMA casts to FP8 + 1x128 scales (0: no cast)"},

    ParamDef{"l2.size_bytes", kInteger, kPositive, "L2 capacity"},
    ParamDef{"l2.partitions", kInteger, kPositive, "L2 partitions"},
    ParamDef{"l2.slices", kInteger, kPositive, "address-hashed L2 slices"},
    ParamDef{"l2.line_bytes", kInteger, kPositive, "L2 line"},
    ParamDef{"l2.sector_bytes", kInteger, kPositive, "L2 sector (smallest transfer)"},
    ParamDef{"l2.bytes_per_clk", kNumber, kPositive, "aggregate L2 bandwidth per SM clock"},
    ParamDef{"l2.hit_latency_cycles", kNumber, kPositive, "L2 hit latency, near partition"},
    ParamDef{"l2.far_extra_latency_cycles", kNumber, kNonNegative, "extra latency of a hit in the far partition"},
    ParamDef{"l2.subset_sms", kNumberList, kPositive,
             "SM counts of the subsets whose L2 read bandwidth is listed (ascending, the last = sm.count)"},
    ParamDef{"l2.subset_read_GBps", kNumberList, kPositive,
             "L2 read bandwidth reachable from each subset of l2.subset_sms"},

    ParamDef{"hbm.capacity_GB", kNumber, kPositive, "HBM capacity"},
    ParamDef{"hbm.stacks", kInteger, kPositive, "HBM stacks"},
    ParamDef{"hbm.channels", kInteger, kPositive, "independent HBM channels"},
    ParamDef{"hbm.bus_width_bits", kInteger, kPositive, "total memory bus width"},
    ParamDef{"hbm.bandwidth_GBps", kNumber, kPositive, "peak HBM bandwidth (datasheet)"},
    ParamDef{"hbm.read_efficiency_fraction", kNumber, kFraction, "sustained fraction of peak, streaming reads"},
    ParamDef{"hbm.write_efficiency_fraction", kNumber, kFraction, "sustained fraction of peak, streaming writes"},
    ParamDef{"hbm.copy_efficiency_fraction", kNumber, kFraction, "sustained fraction of peak, 1:1 read/write"},
    ParamDef{"hbm.latency_ns", kNumber, kPositive, "load latency of an L2 miss"},
    ParamDef{"hbm.implementation", kText, kAny,
             "HBM read path: standard (stacks without logic), or one a hardware proposal registers"},
    ParamDef{"hbm.near_memory_cast_GBps", kNumber, kNonNegative,
             "BF16 bytes per second logic beside HBM casts to FP8 on read (0: none)"},
    ParamDef{"hbm.internal_bandwidth_GBps", kNumber, kPositive,
             "bandwidth inside the stacks, available to near-memory logic"},

    ParamDef{"nvlink.version", kInteger, kPositive, "NVLink generation"},
    ParamDef{"nvlink.links", kInteger, kPositive, "NVLink links per GPU"},
    ParamDef{"nvlink.link_unidir_GBps", kNumber, kPositive, "one link, one direction"},
    ParamDef{"nvlink.nominal_bidir_GBps", kNumber, kPositive, "nominal total, both directions"},
    ParamDef{"nvlink.achieved_unidir_GBps", kNumber, kPositive, "achieved by software, one direction"},
    ParamDef{"nvlink.latency_us", kNumber, kPositive, "small-message end-to-end latency"},

    ParamDef{"pcie.gen", kInteger, kPositive, "PCIe generation"},
    ParamDef{"pcie.lanes", kInteger, kPositive, "PCIe lanes"},
    ParamDef{"pcie.unidir_GBps", kNumber, kPositive, "PCIe bandwidth, one direction"},

    ParamDef{"nic.per_gpu", kInteger, kNonNegative, "scale-out NICs per GPU"},
    ParamDef{"nic.line_rate_Gbps", kNumber, kPositive, "NIC line rate"},
    ParamDef{"nic.effective_GBps", kNumber, kPositive, "NIC bandwidth software reaches"},
    ParamDef{"nic.latency_us", kNumber, kPositive, "small-message end-to-end latency"},
    ParamDef{"nic.message_overhead_ns", kNumber, kNonNegative, "NIC time per message (inverse message rate)"},
    ParamDef{"nic.unified_scaleup_scaleout", kFlag, kAny,
             "one adapter joins NVLink and IB: it forwards IB arrivals to the node's GPUs itself"},
    ParamDef{"nic.adapter_latency_us", kNumber, kNonNegative,
             "extra latency of the unified adapter's forwarding hop (0 without one)"},

    ParamDef{"fabric.gpus_per_node", kInteger, kPositive, "GPUs joined by NVLink/NVSwitch in one node"},
    ParamDef{"fabric.planes", kInteger, kPositive, "independent scale-out network planes"},
    ParamDef{"fabric.switch_ports", kInteger, kPositive, "ports of one scale-out switch (leaf and spine)"},
    ParamDef{"fabric.cross_leaf_latency_us", kNumber, kPositive, "small-message latency through a spine"},

    ParamDef{"comm_coprocessor.present", kFlag, kAny,
             "a co-processor does the EP all-to-all's forwarding, buffer copies and reductions"},
    ParamDef{"comm_coprocessor.throughput_GBps", kNumber, kNonNegative,
             "bytes per second the co-processor copies, all roles together (0 without one)"},
    ParamDef{"comm_coprocessor.latency_us", kNumber, kNonNegative,
             "command latency of the co-processor, once per kernel (0 without one)"},

    ParamDef{"launch.overhead_us", kNumber, kNonNegative, "gap between back-to-back kernels on a stream"},
    ParamDef{"power.tdp_W", kNumber, kPositive, "board power limit"},
    ParamDef{"power.fp8_mma_full_load_MHz", kNumber, kPositive, "SM clock sustained with FP8 tensor cores 100% busy"},
    ParamDef{"power.bf16_mma_full_load_MHz", kNumber, kPositive, "SM clock sustained with BF16 tensor cores 100% busy"},
    ParamDef{"power.dvfs_exponent", kNumber, kPositive, "power ~ clock^e along the DVFS curve"},
    ParamDef{"power.hbm_budget_share_per_TBps", kNumber, kNonNegative, "power-budget share HBM traffic draws per TB/s"},
    ParamDef{"power.l2_budget_share_per_TBps", kNumber, kNonNegative,
             "power-budget share L2-hit traffic draws per TB/s"},
};

int as_int(const ParamTable& t, const char* key) { return static_cast<int>(t.integer(key)); }

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

  s.clock = {p.number("clock.sm_max_MHz"), p.number("clock.sm_MHz"), p.number("clock.mem_MHz")};

  s.sm.count = as_int(p, "sm.count");
  s.sm.gpcs = as_int(p, "sm.gpcs");
  for (double d : p.numbers("sm.sms_per_gpc")) s.sm.sms_per_gpc.push_back(static_cast<int>(d));
  s.sm.subpartitions = as_int(p, "sm.subpartitions");
  s.sm.max_threads = as_int(p, "sm.max_threads");
  s.sm.max_warps = as_int(p, "sm.max_warps");
  s.sm.max_ctas = as_int(p, "sm.max_ctas");
  s.sm.max_cluster_size = as_int(p, "sm.max_cluster_size");
  s.sm.registers = as_int(p, "sm.registers");
  s.sm.max_registers_per_thread = as_int(p, "sm.max_registers_per_thread");
  s.sm.register_alloc_unit = as_int(p, "sm.register_alloc_unit");
  s.sm.smem_capacity_bytes = p.integer("sm.smem_capacity_bytes");
  s.sm.smem_per_block_max_bytes = p.integer("sm.smem_per_block_max_bytes");
  s.sm.smem_reserved_per_block_bytes = p.integer("sm.smem_reserved_per_block_bytes");
  s.sm.smem_bytes_per_clk = p.number("sm.smem_bytes_per_clk");
  s.sm.smem_latency_cycles = p.number("sm.smem_latency_cycles");
  s.sm.l1_hit_latency_cycles = p.number("sm.l1_hit_latency_cycles");
  s.sm.peer_copy_GBps = p.number("sm.peer_copy_GBps");

  s.tensor_core = {p.number("tensor_core.fp8_flop_per_clk"),        p.number("tensor_core.bf16_flop_per_clk"),
                   p.number("tensor_core.fp16_flop_per_clk"),       p.number("tensor_core.tf32_flop_per_clk"),
                   p.number("tensor_core.int8_op_per_clk"),         p.number("tensor_core.wgmma_latency_cycles"),
                   p.number("tensor_core.wgmma_min_latency_cycles")};
  s.tensor_core.fp8_accum_fraction_bits = as_int(p, "tensor_core.fp8_accum_fraction_bits");
  s.tensor_core.group_scaled_mma = p.flag("tensor_core.group_scaled_mma");
  s.tensor_core.group_scale_cycles = p.number("tensor_core.group_scale_cycles");
  s.tensor_core.transposed_fp8_operands = p.flag("tensor_core.transposed_fp8_operands");
  s.cuda_core = {p.number("cuda_core.fp32_flop_per_clk"), p.number("cuda_core.int32_op_per_clk"),
                 p.number("cuda_core.sfu_op_per_clk"), p.number("cuda_core.fp32_latency_cycles"),
                 p.number("cuda_core.ldst_op_per_clk")};
  s.tma = {p.number("tma.issue_cycles"), p.number("tma.extra_latency_cycles"), as_int(p, "tma.max_inflight_per_sm"),
           p.number("tma.bytes_per_clk")};
  s.tma.fp8_cast_bytes_per_clk = p.number("tma.fp8_cast_bytes_per_clk");
  s.l2 = {p.integer("l2.size_bytes"),
          as_int(p, "l2.partitions"),
          as_int(p, "l2.slices"),
          as_int(p, "l2.line_bytes"),
          as_int(p, "l2.sector_bytes"),
          p.number("l2.bytes_per_clk"),
          p.number("l2.hit_latency_cycles"),
          p.number("l2.far_extra_latency_cycles"),
          {},
          {}};
  s.l2.subset_sms = p.numbers("l2.subset_sms");
  s.l2.subset_read_GBps = p.numbers("l2.subset_read_GBps");
  s.hbm = {p.number("hbm.capacity_GB"),
           as_int(p, "hbm.stacks"),
           as_int(p, "hbm.channels"),
           as_int(p, "hbm.bus_width_bits"),
           p.number("hbm.bandwidth_GBps"),
           p.number("hbm.read_efficiency_fraction"),
           p.number("hbm.write_efficiency_fraction"),
           p.number("hbm.copy_efficiency_fraction"),
           p.number("hbm.latency_ns")};
  s.hbm.near_memory_cast_GBps = p.number("hbm.near_memory_cast_GBps");
  s.hbm.internal_bandwidth_GBps = p.number("hbm.internal_bandwidth_GBps");
  s.nvlink = {as_int(p, "nvlink.version"),
              as_int(p, "nvlink.links"),
              p.number("nvlink.link_unidir_GBps"),
              p.number("nvlink.nominal_bidir_GBps"),
              p.number("nvlink.achieved_unidir_GBps"),
              p.number("nvlink.latency_us")};
  s.pcie = {as_int(p, "pcie.gen"), as_int(p, "pcie.lanes"), p.number("pcie.unidir_GBps")};
  s.nic = {as_int(p, "nic.per_gpu"), p.number("nic.line_rate_Gbps"), p.number("nic.effective_GBps"),
           p.number("nic.latency_us"), p.number("nic.message_overhead_ns")};
  s.nic.unified_scaleup_scaleout = p.flag("nic.unified_scaleup_scaleout");
  s.nic.adapter_latency_us = p.number("nic.adapter_latency_us");
  s.fabric = {as_int(p, "fabric.gpus_per_node"), as_int(p, "fabric.planes"), as_int(p, "fabric.switch_ports"),
              p.number("fabric.cross_leaf_latency_us")};
  s.comm_coprocessor = {p.flag("comm_coprocessor.present"), p.number("comm_coprocessor.throughput_GBps"),
                        p.number("comm_coprocessor.latency_us")};
  s.launch = {p.number("launch.overhead_us")};
  s.power = {p.number("power.tdp_W"),
             p.number("power.fp8_mma_full_load_MHz"),
             p.number("power.bf16_mma_full_load_MHz"),
             p.number("power.dvfs_exponent"),
             p.number("power.hbm_budget_share_per_TBps"),
             p.number("power.l2_budget_share_per_TBps")};

  // Cross-parameter rules: checked here so every loader path gets them.
  const int gpc_sum = std::accumulate(s.sm.sms_per_gpc.begin(), s.sm.sms_per_gpc.end(), 0);
  if (static_cast<int>(s.sm.sms_per_gpc.size()) != s.sm.gpcs || gpc_sum != s.sm.count) {
    throw Error(
        fmt::format("{}: sm.sms_per_gpc must list sm.gpcs = {} entries summing to sm.count = {}; "
                    "it lists {} summing to {}",
                    s.name, s.sm.gpcs, s.sm.count, s.sm.sms_per_gpc.size(), gpc_sum));
  }
  {
    const auto& n = s.l2.subset_sms;
    const auto& bw = s.l2.subset_read_GBps;
    if (n.empty() || n.size() != bw.size()) {
      throw Error(
          fmt::format("{}: l2.subset_sms ({} entries) and l2.subset_read_GBps ({} entries) must be non-empty "
                      "lists of the same length",
                      s.name, n.size(), bw.size()));
    }
    for (size_t i = 0; i < n.size(); ++i) {
      if (n[i] != std::floor(n[i]) || (i > 0 && !(n[i] > n[i - 1]))) {
        throw Error(fmt::format("{}: l2.subset_sms must be whole SM counts in ascending order; entry {} is {}", s.name,
                                i, n[i]));
      }
    }
    if (static_cast<int>(n.back()) != s.sm.count) {
      throw Error(fmt::format("{}: l2.subset_sms must end with the whole GPU, sm.count = {}; it ends with {}", s.name,
                              s.sm.count, n.back()));
    }
  }
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
