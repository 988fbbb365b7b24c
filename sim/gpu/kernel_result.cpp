#include "sim/gpu/kernel_result.hpp"

#include <algorithm>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

KernelResult make_result(const HardwareSpec& spec, const ClockDomain& clk, const KernelProgram& k,
                         const LaunchStats& st) {
  KernelResult r;
  r.kernel = k.name;
  r.gpu = spec.name;
  const Tick total = st.end - st.issued;
  const Tick exec = std::max<Tick>(1, st.end - st.start);
  r.time_us = us_from_ticks(total);
  r.kernel_time_us = us_from_ticks(exec);
  r.launch_overhead_us = us_from_ticks(st.start - st.issued);
  r.cycles = clk.to_cycles(total).count;
  r.sm_clock_mhz = clk.mhz();
  r.flops = k.flops;
  const double secs = seconds_from_ticks(total);
  r.bytes["hbm_read"] = static_cast<double>(st.hbm_read);
  r.bytes["hbm_write"] = static_cast<double>(st.hbm_write);
  r.bytes["l2_read"] = static_cast<double>(st.l2_read);
  r.bytes["l2_write"] = static_cast<double>(st.l2_write);
  r.l2_hit_rate = st.l2_read > 0 ? static_cast<double>(st.l2_read_hit) / static_cast<double>(st.l2_read) : 0.0;
  r.bytes["smem"] = static_cast<double>(st.smem);
  r.bytes["tma_cast"] = static_cast<double>(st.tma_cast);
  r.bytes["hbm_internal"] = static_cast<double>(st.hbm_internal);
  for (size_t i = 0; i < k.op_tags.size(); ++i)
    r.ops[k.op_tags[i]] = i < st.tagged_ops.size() ? static_cast<double>(st.tagged_ops[i]) : 0.0;
  r.achieved["flop_per_s"] = k.flops / secs;
  r.achieved["hbm_bytes_per_s"] = static_cast<double>(st.hbm_read + st.hbm_write) / secs;
  const double sms = std::max(1, st.sms);
  const double sub = spec.sm.subpartitions;
  const double ex = static_cast<double>(exec);
  r.busy["tensor_core"] = static_cast<double>(st.tensor_busy) / (sms * sub * ex);
  r.busy["cuda_core"] = static_cast<double>(st.fp32_busy) / (sms * ex);
  r.busy["int32"] = static_cast<double>(st.int32_busy) / (sms * ex);
  r.busy["sfu"] = static_cast<double>(st.sfu_busy) / (sms * ex);
  r.busy["tma"] = static_cast<double>(st.tma_busy) / (sms * ex);
  r.busy["smem"] = static_cast<double>(st.smem_busy) / (sms * ex);
  r.busy["l2"] = static_cast<double>(st.l2_busy) / (st.l2_servers * ex);
  r.busy["hbm"] = static_cast<double>(st.hbm_busy) / (st.hbm_servers * ex);
  for (const auto& [name, t] : st.stalls) {
    r.stalls[name] = st.role_time > 0 ? static_cast<double>(t) / static_cast<double>(st.role_time) : 0.0;
  }
  r.ctas = st.ctas;
  r.waves = st.waves;
  r.launch = {{"ctas_per_sm", st.ctas_per_sm},
              {"occupancy_limiter", st.occupancy_limiter},
              {"sms", st.sms},
              {"cluster_size", k.cluster_size},
              {"cluster_slots", st.cluster_slots},
              {"persistent", k.persistent},
              {"work_units", k.work_units},
              {"threads_per_cta", k.resources.threads},
              {"smem_per_cta", k.resources.smem_bytes},
              {"tma_boxes", st.tma_boxes},
              {"wgmma", st.wgmma},
              {"stands_for", k.stands_for}};
  for (const auto& [key, v] : k.notes) r.launch[key] = v;
  return r;
}

nlohmann::json KernelResult::to_json() const {
  nlohmann::json j;
  j["kernel"] = kernel;
  j["params"] = params;
  j["gpu"] = gpu;
  j["time_us"] = time_us;
  j["kernel_time_us"] = kernel_time_us;
  j["launch_overhead_us"] = launch_overhead_us;
  j["cycles"] = cycles;
  j["sm_clock_mhz"] = sm_clock_mhz;
  j["flops"] = flops;
  j["bytes"] = bytes;
  j["l2_hit_rate"] = l2_hit_rate;
  j["achieved"] = achieved;
  j["ops"] = ops;
  j["busy"] = busy;
  j["stalls"] = stalls;
  j["ctas"] = ctas;
  j["waves"] = waves;
  j["launch"] = launch;
  j["config"] = config;
  return j;
}

}  // namespace hwsim::sim
