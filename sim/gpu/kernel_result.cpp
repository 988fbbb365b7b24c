#include "sim/gpu/kernel_result.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "models/spec/error.hpp"
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

namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) throw Error(fmt::format("kernel result: missing field '{}'", name));
  return *it;
}

double number(const nlohmann::json& v, const std::string& name) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw Error(fmt::format("kernel result: field '{}' is not a number", name));
  return v.get<double>();
}

std::int64_t whole(const nlohmann::json& v, const char* name) {
  if (!v.is_number_integer()) throw Error(fmt::format("kernel result: field '{}' is not a whole number", name));
  return v.get<std::int64_t>();
}

std::map<std::string, double> number_map(const nlohmann::json& j, const char* name) {
  const nlohmann::json& m = field(j, name);
  if (!m.is_object()) throw Error(fmt::format("kernel result: field '{}' is not an object", name));
  std::map<std::string, double> out;
  for (const auto& [k, v] : m.items()) out[k] = number(v, std::string(name) + "." + k);
  return out;
}

}  // namespace

KernelResult KernelResult::from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("kernel result: not a JSON object");
  KernelResult r;
  // In to_json()'s order, so the first missing field is the one named.
  const nlohmann::json& kernel = field(j, "kernel");
  if (!kernel.is_string()) throw Error("kernel result: field 'kernel' is not a string");
  r.kernel = kernel.get<std::string>();
  r.params = field(j, "params");
  const nlohmann::json& gpu = field(j, "gpu");
  if (!gpu.is_string()) throw Error("kernel result: field 'gpu' is not a string");
  r.gpu = gpu.get<std::string>();
  r.time_us = number(field(j, "time_us"), "time_us");
  r.kernel_time_us = number(field(j, "kernel_time_us"), "kernel_time_us");
  r.launch_overhead_us = number(field(j, "launch_overhead_us"), "launch_overhead_us");
  r.cycles = whole(field(j, "cycles"), "cycles");
  r.sm_clock_mhz = number(field(j, "sm_clock_mhz"), "sm_clock_mhz");
  r.flops = number(field(j, "flops"), "flops");
  r.bytes = number_map(j, "bytes");
  r.l2_hit_rate = number(field(j, "l2_hit_rate"), "l2_hit_rate");
  r.achieved = number_map(j, "achieved");
  r.ops = number_map(j, "ops");
  r.busy = number_map(j, "busy");
  r.stalls = number_map(j, "stalls");
  r.ctas = whole(field(j, "ctas"), "ctas");
  r.waves = static_cast<int>(whole(field(j, "waves"), "waves"));
  r.launch = field(j, "launch");
  r.config = field(j, "config");
  return r;
}

}  // namespace hwsim::sim
