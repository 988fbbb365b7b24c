// The one list of kernels. Each kernel lives in workloads/kernels/<kind>.cpp
// and exposes one factory (its declared params, program and work); adding a
// kernel adds one line here.
#include <fmt/format.h>

#include <cmath>

#include "models/io/json_input.hpp"
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
      kernels::attention_kernel(),   kernels::grouped_gemm_kernel(),  kernels::tma_read_kernel(),
  };
  return defs;
}

const KernelDef& find_kernel_def(const std::string& kind) {
  std::vector<std::string> kinds;
  for (const KernelDef& k : kernel_registry()) {
    if (k.kind == kind) return k;
    kinds.push_back(k.kind);
  }
  const std::string hint = closest_match(kind, kinds);
  throw Error(fmt::format("unknown kernel '{}'{}; kernels: {}", kind,
                          hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(kinds, ", ")));
}

namespace {

void require_object(const KernelDescriptor& d) {
  if (!d.params.is_object()) throw Error(fmt::format("kernel {}: params must be a JSON object", d.kind));
}

// Operands and results must fit the memory they live in: a copy larger than
// HBM would be simulated as if it fitted, giving a time for an impossible run.
void check_footprint(const KernelDef& k, const KernelDescriptor& d, const HardwareSpec& spec) {
  const KernelWork w = k.work(d);
  const double gb = (w.read_bytes + w.write_bytes) / 1e9;
  if (gb > spec.hbm.capacity_GB) {
    throw Error(fmt::format("kernel {}: operands and results take {:.3g} GB, more than hbm.capacity_GB = {}", d.kind,
                            gb, spec.hbm.capacity_GB));
  }
}

}  // namespace

void set_param_from_text(nlohmann::json& params, const std::string& name_equals_value) {
  const std::string& kv = name_equals_value;
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw Error(fmt::format("--param {}: expected NAME=VALUE", kv));
  if (invalid_utf8_at(kv) != std::string_view::npos) throw Error(fmt::format("--param {}: not UTF-8 text", kv));
  const std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
  nlohmann::json v;
  try {
    v = parse_json_unique(value, fmt::format("--param {}", name));
  } catch (const nlohmann::json::parse_error&) {
    v = nlohmann::json(value);  // not JSON: text, e.g. a dtype
  }
  params[name] = std::move(v);
}

std::int64_t kernel_param_limit(const std::string& unit) { return unit == "bytes" ? 1LL << 40 : 1LL << 24; }

std::int64_t KernelParam::limit() const { return max > 0 ? max : kernel_param_limit(unit); }

sim::KernelProgram build_program(const KernelDescriptor& d, const KernelContext& ctx) {
  const KernelDef& k = find_kernel_def(d.kind);
  require_object(d);
  check_footprint(k, d, ctx.spec);
  sim::KernelProgram p = k.build(d, ctx);
  p.stands_for = k.stands_for;
  return p;
}

KernelWork kernel_work(const std::string& kind, const nlohmann::json& params) {
  const KernelDef& k = find_kernel_def(kind);
  const KernelDescriptor d{kind, params};
  require_object(d);
  return k.work(d);
}

const std::vector<KernelParam>& launch_params() {
  static const std::vector<KernelParam> params = {
      {"sms", "integer > 0", "all", "SMs", "SMs the launch may use (a kernel sharing the GPU gets fewer)", {}},
      {"beside_hbm_GBps",
       "number >= 0",
       "0",
       "GB/s",
       "HBM traffic of kernels running beside this one; only the power cap reads it",
       {}},
      {"regime",
       "regime",
       "sustained",
       "",
       "power history the launch runs in (models/power/controller.hpp): sustained, idle[:idle_before_ms=N] or "
       "train[:idle_before_ms=N,launches=N,gap_us=N]",
       {}}};
  return params;
}

LaunchOptions launch_options(const KernelDescriptor& d, int sm_count) {
  LaunchOptions o;
  if (!d.params.is_object()) return o;
  if (const auto it = d.params.find("sms"); it != d.params.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > sm_count) {
      throw Error(
          fmt::format("kernel {}: param sms = {} must be a whole number in 1..{}", d.kind, it->dump(), sm_count));
    }
    o.sms = it->get<int>();
  }
  if (const auto it = d.params.find("beside_hbm_GBps"); it != d.params.end()) {
    if (!it->is_number() || !(it->get<double>() >= 0 && it->get<double>() <= 1e6)) {
      throw Error(
          fmt::format("kernel {}: param beside_hbm_GBps = {} must be a number in [0, 1000000]", d.kind, it->dump()));
    }
    o.beside_hbm_GBps = it->get<double>();
  }
  if (const auto it = d.params.find("regime"); it != d.params.end()) {
    if (!it->is_string()) {
      throw Error(
          fmt::format("kernel {}: param regime = {} must be a string such as \"sustained\", \"idle\" or "
                      "\"train:launches=30\"",
                      d.kind, it->dump()));
    }
    o.history = parse_power_history(it->get<std::string>(), fmt::format("kernel {}: param regime", d.kind));
  }
  return o;
}

ParamReader::ParamReader(const KernelDescriptor& d, const std::vector<KernelParam>& declared)
    : d_(d), declared_(declared) {
  std::vector<std::string> accepted;
  for (const KernelParam& p : declared) accepted.push_back(p.name);
  for (const KernelParam& p : launch_params()) accepted.push_back(p.name);
  for (const auto& [key, value] : d.params.items()) {
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
      const std::string hint = closest_match(key, accepted);
      throw Error(fmt::format("kernel {}: unknown param '{}'{}; accepted: {}", d.kind, key,
                              hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(accepted, ", ")));
    }
  }
}

const KernelParam& ParamReader::declared(const std::string& name) const {
  for (const KernelParam& p : declared_) {
    if (p.name == name) return p;
  }
  // A kernel reading a param it did not declare is a programming error.
  throw Error(fmt::format("kernel {}: param {} is read but not declared in its kParams", d_.kind, name));
}

std::string ParamReader::choice(const std::string& name) const {
  const KernelParam& p = declared(name);
  return choice(name, p.choices, p.default_value);
}

bool ParamReader::flag(const std::string& name) const { return flag_or(name, declared(name).default_value == "true"); }

double ParamReader::non_negative(const std::string& name) const {
  const auto it = d_.params.find(name);
  if (it == d_.params.end()) {
    if (declared(name).required()) fail(name, "is required (a number >= 0)");
    return 0;
  }
  if (!it->is_number() || !(it->get<double>() >= 0) || !std::isfinite(it->get<double>())) {
    fail(name, "must be a finite number >= 0");
  }
  return it->get<double>();
}

void ParamReader::fail(const std::string& name, const std::string& rule) const {
  throw Error(fmt::format("kernel {}: param {} {}", d_.kind, name, rule));
}

// The declared param's limit; a param read without a declaration (a launch
// param) gets its unit-less default.
std::int64_t ParamReader::limit(const std::string& name) const {
  for (const KernelParam& p : declared_) {
    if (p.name == name) return p.limit();
  }
  return kernel_param_limit("");
}

std::int64_t ParamReader::positive(const std::string& name) const {
  if (!d_.params.contains(name)) fail(name, "is required (a whole number > 0)");
  const auto& v = d_.params.at(name);
  const std::int64_t max = limit(name);
  const auto out_of_range = [&](const std::string& shown) {
    fail(name, fmt::format("= {} must be in 1..{} (the simulation limit, docs/reliability.md)", shown, max));
  };
  std::int64_t x = 0;
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    out_of_range(v.dump());  // before the 64-bit signed read, which would wrap beyond 2^63
  } else if (v.is_number_integer()) {
    x = v.get<std::int64_t>();
  } else if (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>()) {
    if (std::abs(v.get<double>()) > static_cast<double>(max)) out_of_range(v.dump());
    x = static_cast<std::int64_t>(v.get<double>());  // 1e9 in JSON is a whole number too
  } else if (v.is_string()) {
    try {
      size_t used = 0;
      x = std::stoll(v.get<std::string>(), &used);
      if (used != v.get<std::string>().size())
        fail(name, fmt::format("= '{}' must be a whole number > 0", v.get<std::string>()));
    } catch (const std::out_of_range&) {
      out_of_range(v.get<std::string>());
    } catch (const std::invalid_argument&) {
      fail(name, fmt::format("= '{}' must be a whole number > 0", v.get<std::string>()));
    }
  } else {
    fail(name, fmt::format("= {} must be a whole number > 0", v.dump()));
  }
  if (x <= 0) fail(name, fmt::format("= {} must be > 0", x));
  if (x > max) out_of_range(std::to_string(x));
  return x;
}

std::int64_t ParamReader::positive_or(const std::string& name, std::int64_t fallback) const {
  return d_.params.contains(name) ? positive(name) : fallback;
}

DataType ParamReader::dtype(const std::string& name) const {
  if (!d_.params.contains(name)) {
    const KernelParam& p = declared(name);
    if (p.required()) fail(name, "is required (bf16, fp8_e4m3 or fp32)");
    return parse_data_type(p.default_value, fmt::format("kernel {}: param {} (declared default)", d_.kind, name));
  }
  const auto& v = d_.params.at(name);
  if (!v.is_string()) fail(name, "must be a dtype name (bf16, fp8_e4m3 or fp32)");
  return parse_data_type(v.get<std::string>(), fmt::format("kernel {}: param {}", d_.kind, name));
}

bool ParamReader::given(const std::string& name) const {
  declared(name);  // reading an undeclared param is a programming error
  return d_.params.contains(name);
}

std::vector<std::int64_t> ParamReader::integer_list(const std::string& name) const {
  if (!given(name)) fail(name, "is required (whole numbers >= 0, comma-separated)");
  const auto& v = d_.params.at(name);
  std::vector<std::string> items;
  if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    size_t start = 0;
    while (true) {
      const size_t comma = text.find(',', start);
      items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (v.is_array()) {
    for (const auto& x : v) items.push_back(x.is_string() ? x.get<std::string>() : x.dump());
  } else {
    items.push_back(v.dump());
  }
  std::vector<std::int64_t> out;
  for (const std::string& item : items) {
    std::int64_t x = -1;
    try {
      size_t used = 0;
      x = std::stoll(item, &used);
      if (used != item.size()) x = -1;
    } catch (const std::logic_error&) {
      x = -1;
    }
    if (x < 0)
      fail(name, fmt::format("= {}: '{}' is not a whole number >= 0 (expected e.g. 512,1024,384)", v.dump(), item));
    if (x > limit(name)) {
      fail(name, fmt::format("= {}: {} must be in 0..{} (the simulation limit, docs/reliability.md)", v.dump(), x,
                             limit(name)));
    }
    out.push_back(x);
  }
  return out;
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
