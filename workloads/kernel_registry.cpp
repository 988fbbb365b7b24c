// The one list of kernels. Each kernel lives in workloads/kernels/<kind>.cpp
// and exposes one factory; adding a kernel adds one line here.
#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/kernel_descriptor.hpp"
#include "workloads/kernels/kernels.hpp"

namespace hwsim {

const std::vector<KernelDef>& kernel_registry() {
  static const std::vector<KernelDef> defs = {
      kernels::gemm_kernel(),        kernels::memcpy_kernel(),        kernels::elementwise_kernel(),
      kernels::ep_comm_kernel(),     kernels::read_kernel(),          kernels::write_kernel(),
      kernels::quant_1x128_kernel(), kernels::quant_128x128_kernel(), kernels::transpose_requant_kernel(),
      kernels::transpose_kernel(),   kernels::swiglu_kernel(),        kernels::rmsnorm_kernel(),
      kernels::attention_kernel(),
  };
  return defs;
}

sim::KernelProgram build_program(const KernelDescriptor& d, const KernelContext& ctx) {
  std::vector<std::string> kinds;
  for (const KernelDef& k : kernel_registry()) {
    if (k.kind == d.kind) {
      if (!d.params.is_object()) throw Error(fmt::format("kernel {}: params must be a JSON object", d.kind));
      sim::KernelProgram p = k.build(d, ctx);
      p.stands_for = k.stands_for;
      return p;
    }
    kinds.push_back(k.kind);
  }
  const std::string hint = closest_match(d.kind, kinds);
  throw Error(fmt::format("unknown kernel '{}'{}; kernels: {}", d.kind,
                          hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(kinds, ", ")));
}

ParamReader::ParamReader(const KernelDescriptor& d, std::vector<std::string> accepted) : d_(d) {
  accepted.push_back("sms");  // every kernel may be restricted to fewer SMs
  // and may name the HBM traffic of kernels running beside it (power cap only).
  accepted.push_back("beside_hbm_GBps");
  for (const auto& [key, value] : d.params.items()) {
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
      const std::string hint = closest_match(key, accepted);
      throw Error(fmt::format("kernel {}: unknown param '{}'{}; accepted: {}", d.kind, key,
                              hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(accepted, ", ")));
    }
  }
}

void ParamReader::fail(const std::string& name, const std::string& rule) const {
  throw Error(fmt::format("kernel {}: param {} {}", d_.kind, name, rule));
}

std::int64_t ParamReader::positive(const std::string& name) const {
  if (!d_.params.contains(name)) fail(name, "is required (a whole number > 0)");
  const auto& v = d_.params.at(name);
  std::int64_t x = 0;
  if (v.is_number_integer()) {
    x = v.get<std::int64_t>();
  } else if (v.is_string()) {
    try {
      size_t used = 0;
      x = std::stoll(v.get<std::string>(), &used);
      if (used != v.get<std::string>().size())
        fail(name, fmt::format("= '{}' must be a whole number > 0", v.get<std::string>()));
    } catch (const std::logic_error&) {
      fail(name, fmt::format("= '{}' must be a whole number > 0", v.get<std::string>()));
    }
  } else {
    fail(name, fmt::format("= {} must be a whole number > 0", v.dump()));
  }
  if (x <= 0) fail(name, fmt::format("= {} must be > 0", x));
  return x;
}

std::int64_t ParamReader::positive_or(const std::string& name, std::int64_t fallback) const {
  return d_.params.contains(name) ? positive(name) : fallback;
}

DataType ParamReader::dtype(const std::string& name) const {
  if (!d_.params.contains(name)) fail(name, "is required (bf16, fp8_e4m3 or fp32)");
  const auto& v = d_.params.at(name);
  if (!v.is_string()) fail(name, "must be a dtype name (bf16, fp8_e4m3 or fp32)");
  return parse_data_type(v.get<std::string>(), fmt::format("kernel {}: param {}", d_.kind, name));
}

std::string ParamReader::choice(const std::string& name, const std::vector<std::string>& allowed,
                                const std::string& fallback) const {
  if (!d_.params.contains(name)) return fallback;
  const auto& v = d_.params.at(name);
  const std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    fail(name, fmt::format("= '{}' must be one of {}", s, fmt::join(allowed, ", ")));
  }
  return s;
}

bool ParamReader::flag_or(const std::string& name, bool fallback) const {
  if (!d_.params.contains(name)) return fallback;
  const auto& v = d_.params.at(name);
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string() && (v == "true" || v == "1")) return true;
  if (v.is_string() && (v == "false" || v == "0")) return false;
  fail(name, fmt::format("= {} must be true or false", v.dump()));
}

}  // namespace hwsim
