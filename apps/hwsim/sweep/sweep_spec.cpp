#include "apps/hwsim/sweep/sweep_spec.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "hw_proposals/proposal.hpp"
#include "hw_proposals/sweep/spec_axis.hpp"
#include "models/io/json_input.hpp"
#include "models/numerics/accumulator.hpp"
#include "models/numerics/gemm.hpp"
#include "models/spec/error.hpp"
#include "models/spec/hardware_spec.hpp"
#include "models/spec/units.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/kernel_descriptor.hpp"

namespace hwsim::sweep {
namespace {

constexpr int kMaxPoints = 1000000;  // a bound on any sweep's size (a grid's product, or samples)

struct Reader {
  std::string file;
  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    throw Error(fmt::format("{}:{}: {}: {}", file, n.Mark().line + 1, key, what));
  }
  double number(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a number");
    try {
      const double d = n.as<double>();
      if (!std::isfinite(d)) fail(n, key, "expected a finite number, got " + n.Scalar());
      return d;
    } catch (const YAML::Exception&) {
      fail(n, key, "expected a number, got '" + n.Scalar() + "'");
    }
  }
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a single value");
    utf8(n, key);
    return n.Scalar();
  }
  // yaml-cpp can return a scalar that is not UTF-8 from well-formed text (see sim/config/gpu_loader.cpp);
  // the points' JSON carries these strings.
  void utf8(const YAML::Node& n, const std::string& key) const {
    if (invalid_utf8_at(n.Scalar()) != std::string_view::npos) fail(n, key, "not UTF-8 text as YAML reads it");
  }
  // The keys of map `n`, each once: a key given twice names both lines.
  std::vector<std::pair<std::string, YAML::Node>> entries(const YAML::Node& n, const std::string& what,
                                                          const std::vector<std::string>& allowed) const {
    if (!n.IsMap()) fail(n, what, "expected a mapping of keys to values");
    std::vector<std::pair<std::string, YAML::Node>> out;
    std::map<std::string, int> seen;
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) fail(kv.first, what, "a key must be a plain name, not a list or map");
      utf8(kv.first, what);
      const std::string k = kv.first.Scalar();
      if (auto it = seen.find(k); it != seen.end())
        fail(kv.first, k, fmt::format("given twice (line {} and here)", it->second));
      seen[k] = kv.first.Mark().line + 1;
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        const std::string hint = closest_match(k, allowed);
        fail(kv.first, k,
             fmt::format("unknown key{}; expected one of {}", hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                         fmt::join(allowed, ", ")));
      }
      out.emplace_back(k, kv.second);
    }
    return out;
  }
};

void read_workload(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  for (const auto& [k, v] : r.entries(n, "workload", {"kernel", "params", "layer", "tokens", "step", "model"})) {
    if (k == "kernel") {
      s.kernel = r.text(v, "workload.kernel");
      try {
        find_kernel_def(s.kernel);
      } catch (const Error& e) {
        r.fail(v, "workload.kernel", e.what());
      }
    } else if (k == "params") {
      for (const auto& [pk, pv] : r.entries(v, "workload.params", {})) {
        if (!pv.IsScalar())
          r.fail(pv, "workload.params." + pk, "expected a single value (a list as text, e.g. \"512,1024\")");
        r.utf8(pv, "workload.params." + pk);
        double d = 0;
        s.params[pk] = YAML::convert<double>::decode(pv, d) ? nlohmann::json(d) : nlohmann::json(pv.Scalar());
        if (pv.IsScalar() && (pv.Scalar() == "true" || pv.Scalar() == "false")) s.params[pk] = pv.Scalar() == "true";
        if (s.params[pk].is_number() && std::floor(d) == d && std::fabs(d) < 9e15)
          s.params[pk] = static_cast<std::int64_t>(d);
      }
    } else if (k == "layer") {
      if (r.text(v, "workload.layer") != "deepseek-v3-layer")
        r.fail(v, "workload.layer", "expected deepseek-v3-layer, got '" + v.Scalar() + "'");
    } else if (k == "step") {
      if (r.text(v, "workload.step") != "deepseek-v3-step")
        r.fail(v, "workload.step", "expected deepseek-v3-step, got '" + v.Scalar() + "'");
      s.step = true;
    } else if (k == "model") {
      s.step_model = r.text(v, "workload.model");
      if (s.step_model != "sim" && s.step_model != "roofline")
        r.fail(v, "workload.model", "expected sim or roofline (hwsim step --model), got '" + s.step_model + "'");
    } else {
      const double t = r.number(v, "workload.tokens");
      if (t < 1 || t > (1 << 20) || std::floor(t) != t)
        r.fail(v, "workload.tokens", "expected an integer in 1..1048576");
      s.tokens = static_cast<int>(t);
    }
  }
  const int given = !s.kernel.empty() + n["layer"].IsDefined() + s.step;
  if (given != 1) r.fail(n, "workload", "give exactly one of kernel, layer or step");
  if (!s.step && n["model"].IsDefined())
    r.fail(n["model"], "workload.model", "a timing model is chosen for the step only");
  if (!n["layer"].IsDefined() && n["tokens"].IsDefined())
    r.fail(n["tokens"], "workload.tokens", "tokens is an option of the layer workload only");
  if (!s.kernel.empty() || !n["params"].IsDefined()) return;
  r.fail(n["params"], "workload.params", "params are a kernel workload's");
}

// The axis's target, checked against the GPU description's keys, the
// kernel's params or the layer's options.
void classify_axis(const Reader& r, const YAML::Node& key_node, const SweepSpec& s, Axis& a) {
  if (a.key == "proposal") {
    if (!s.kernel.empty()) r.fail(key_node, a.key, "proposal is an axis of the layer and step workloads only");
    a.target = AxisTarget::kProposal;
    a.integer = true;
    return;
  }
  if (a.key == "numerics.promote_every") {
    if (s.fp8_k == 0) r.fail(key_node, a.key, "needs a numerics: {k: K} section (the error it changes)");
    a.target = AxisTarget::kPromoteEvery;
    a.integer = true;
    return;
  }
  if (a.key == "tokens") {
    if (!s.kernel.empty() || s.step) r.fail(key_node, a.key, "tokens is an axis of the layer workload only");
    a.target = AxisTarget::kTokens;
    a.integer = true;
    return;
  }
  if (a.key.starts_with("param.")) {
    if (s.kernel.empty()) r.fail(key_node, a.key, "param.* axes need a kernel workload");
    std::vector<std::string> names;
    for (const KernelParam& p : find_kernel_def(s.kernel).params) names.push_back(p.name);
    const std::string name = a.key.substr(6);
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      const std::string hint = closest_match(name, names);
      r.fail(key_node, a.key,
             fmt::format("kernel {} has no param '{}'{}", s.kernel, name,
                         hint.empty() ? "" : " (did you mean 'param." + hint + "'?)"));
    }
    a.target = AxisTarget::kParam;
    a.integer = true;
    return;
  }
  try {
    a.integer = spec_axis(a.key).integer;
  } catch (const Error& e) {
    r.fail(key_node, a.key, e.what());
  }
}

// A proposal's name, checked (`none`: the baseline, where allowed): a
// layer-level one for the layer, a step-level one (the all-to-all it runs,
// hwsim step --comm) for the step.
std::string proposal_name(const Reader& r, const YAML::Node& n, const std::string& key, bool none_allowed, bool step) {
  const std::string name = r.text(n, key);
  if (none_allowed && name == "none") return name;
  try {
    const bool step_level = proposals::find_proposal(name)->level() == proposals::Level::kStep;
    if (step_level && !step)
      r.fail(n, key,
             fmt::format("{} changes the training step's communication, not the layer (hwsim study {})", name, name));
    if (!step_level && step)
      r.fail(n, key,
             fmt::format("{} changes the layer's kernels; the step sweeps the communication proposals "
                         "(comm_offload, unified_scaleup_scaleout)",
                         name));
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(r.file)) throw;
    r.fail(n, key, e.what());
  }
  return name;
}

// An axis whose values are names (the proposal axis, the promotion interval):
// each checked by `name_of`, listed once; the axis's values are their indices.
template <typename NameOf>
void read_labelled_axis(const Reader& r, const YAML::Node& n, Axis& a, const char* expected, NameOf name_of) {
  if (r.entries(n, a.key, {"values"}).empty() || !n["values"].IsSequence() || n["values"].size() == 0)
    r.fail(n, a.key, fmt::format("expected values: a non-empty list of {}", expected));
  for (const auto& e : n["values"]) {
    const std::string name = name_of(e);
    if (std::find(a.labels.begin(), a.labels.end(), name) != a.labels.end())
      r.fail(e, a.key + ".values", fmt::format("{} is listed twice", name));
    a.values.push_back(static_cast<double>(a.labels.size()));
    a.labels.push_back(name);
  }
}

// A promotion interval: "none" or a positive multiple of Hopper's fused group.
std::string promote_every(const Reader& r, const YAML::Node& n, const std::string& key) {
  const std::string v = r.text(n, key);
  try {
    numerics::parse_promote_every(v, numerics::accumulator_preset("hopper").group_size);
  } catch (const Error& e) {
    const std::string m = e.what();
    r.fail(n, key, "'" + v + "'" + m.substr(m.find(':')));
  }
  return v;
}

// A value of axis `a`: a number in the key's unit, or, for a GPU key with a
// unit, a quantity as --set takes it ("4.8 TB/s"), converted; a quantity of
// another dimension ("2 GHz" for a bandwidth) names the key and both units.
double axis_number(const Reader& r, const YAML::Node& n, const std::string& key, const Axis& a) {
  double d = 0;
  if (!n.IsScalar() || YAML::convert<double>::decode(n, d) || a.target != AxisTarget::kSpec) return r.number(n, key);
  const auto unit = unit_of_key(a.key);
  if (!unit) return r.number(n, key);
  // "inf", "nan" (YAML reads only ".inf" and ".nan" as numbers) and "1e400" are not quantities without a unit.
  const std::string t = r.text(n, key);
  double v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (end != t.data() && end == t.data() + t.size() && (ec == std::errc::result_out_of_range || !std::isfinite(v))) {
    std::string range;
    for (const ParamDef& def : gpu_param_schema()) {
      if (def.key == a.key) range = " in " + range_text(def);
    }
    r.fail(n, key, fmt::format("expected a finite number{}, got {}", range, t));
  }
  try {
    return spec_quantity(a, t, key);
  } catch (const Error& e) {
    std::string m = e.what();
    if (m.starts_with(r.file)) throw;
    if (m.starts_with(key + ": ")) m = m.substr(key.size() + 2);
    r.fail(n, key, m);
  }
}

void read_axis_values(const Reader& r, const YAML::Node& n, Axis& a, bool step) {
  const std::string key = a.key + ".values";
  if (a.target == AxisTarget::kProposal)
    return read_labelled_axis(r, n, a, "proposal names (none: the baseline)",
                              [&](const YAML::Node& e) { return proposal_name(r, e, key, true, step); });
  if (a.target == AxisTarget::kPromoteEvery)
    return read_labelled_axis(r, n, a, "intervals (none: never)",
                              [&](const YAML::Node& e) { return promote_every(r, e, key); });
  const auto entries = r.entries(n, a.key, {"values", "from", "to", "steps", "scale"});
  if (n["values"].IsDefined()) {
    if (entries.size() != 1) r.fail(n, a.key, "give values, or from/to/steps[/scale], not both");
    const YAML::Node v = n["values"];
    if (!v.IsSequence() || v.size() == 0) r.fail(v, a.key + ".values", "expected a non-empty list of numbers");
    for (const auto& e : v) a.values.push_back(axis_number(r, e, a.key + ".values", a));
    return;
  }
  for (const char* need : {"from", "to", "steps"})
    if (!n[need].IsDefined()) r.fail(n, a.key, fmt::format("a range needs from, to and steps (missing {})", need));
  const double from = axis_number(r, n["from"], a.key + ".from", a), to = axis_number(r, n["to"], a.key + ".to", a);
  const double steps = r.number(n["steps"], a.key + ".steps");
  if (!(from < to)) r.fail(n["to"], a.key, fmt::format("an empty or inverted range: from {} to {}", from, to));
  if (steps < 2 || steps > 10000 || std::floor(steps) != steps)
    r.fail(n["steps"], a.key + ".steps", "expected an integer in 2..10000");
  if (n["scale"].IsDefined()) {
    const std::string sc = r.text(n["scale"], a.key + ".scale");
    if (sc != "linear" && sc != "log") r.fail(n["scale"], a.key + ".scale", "expected linear or log, got " + sc);
    a.log = sc == "log";
  }
  if (a.log && from <= 0) r.fail(n["from"], a.key, "a log range needs from > 0");
  a.range = true;
  a.values = range_values(from, to, static_cast<int>(steps), a.log);
}

// An integer axis's values (and so its range's ends) within what the key
// accepts: a whole number beyond 64 bits has no integer to become, and one
// beyond the key's range would only fail later, point by point. A GPU key's
// are checked as the study's sensitivity lines are (check_spec_values).
void check_integer_axis(const Reader& r, const YAML::Node& key_node, const SweepSpec& s, const Axis& a) {
  if (!a.integer || !a.labels.empty()) return;  // a labelled axis holds indices of its names
  if (a.target == AxisTarget::kSpec) {
    try {
      check_spec_values(a);
    } catch (const Error& e) {
      r.fail(key_node, a.key, e.what());
    }
    return;
  }
  double lo = 1, hi = 1 << 20;  // the layer's tokens
  std::string range = "1..1048576";
  if (a.target == AxisTarget::kParam) {
    const std::string name = a.key.substr(6);
    for (const KernelParam& p : find_kernel_def(s.kernel).params) {
      if (p.name != name) continue;
      lo = 0;
      hi = static_cast<double>(p.limit());
      range = fmt::format("0..{}", p.limit());
    }
  }
  for (const double v : a.values) {
    const bool ok = v >= lo && v <= hi && std::fabs(v) <= 0x1p53;
    if (!ok) r.fail(key_node, a.key, fmt::format("{} is outside {}, the range of {}", v, range, a.key));
  }
}

void read_sampling(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  for (const auto& [k, v] : r.entries(n, "sampling", {"method", "samples", "seed"})) {
    if (k == "method") {
      s.sampling.method = r.text(v, "sampling.method");
      if (s.sampling.method != "grid" && s.sampling.method != "random" && s.sampling.method != "lhs")
        r.fail(v, "sampling.method", "expected grid, random or lhs, got '" + s.sampling.method + "'");
    } else if (k == "samples") {
      const double d = r.number(v, "sampling.samples");
      if (d < 1 || d > kMaxPoints || std::floor(d) != d)
        r.fail(v, "sampling.samples", fmt::format("expected an integer in 1..{}", kMaxPoints));
      s.sampling.samples = static_cast<int>(d);
    } else {
      const double d = r.number(v, "sampling.seed");
      if (d < 0 || d > 9e15 || std::floor(d) != d) r.fail(v, "sampling.seed", "expected an integer >= 0");
      s.sampling.seed = static_cast<std::uint64_t>(d);
    }
  }
  if (s.sampling.method != "grid" && s.sampling.samples == 0)
    r.fail(n, "sampling", s.sampling.method + " sampling needs samples: N");
  if (s.sampling.method == "grid" && s.sampling.samples != 0)
    r.fail(n, "sampling.samples", "grid sampling takes every point; drop samples");
}

// Proposals applied at every point, in order (the layer; the step runs one
// all-to-all, so one communication proposal, and none beside a proposal axis).
void read_proposals(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  if (!n.IsSequence()) r.fail(n, "proposals", "expected a list of proposal names");
  if (!s.kernel.empty()) r.fail(n, "proposals", "proposals apply to the layer and step workloads only");
  if (s.step && n.size() > 1)
    r.fail(n, "proposals", "the step runs one communication proposal (its all-to-all); give at most one");
  if (s.step && n.size() == 1 &&
      std::any_of(s.axes.begin(), s.axes.end(), [](const Axis& a) { return a.target == AxisTarget::kProposal; }))
    r.fail(n, "proposals", "the step runs one communication proposal; it is already the proposal axis");
  for (const auto& e : n) {
    const std::string name = proposal_name(r, e, "proposals", false, s.step);
    for (const Axis& a : s.axes)
      if (std::find(a.labels.begin(), a.labels.end(), name) != a.labels.end())
        r.fail(e, "proposals", fmt::format("{} is also a value of the proposal axis", name));
    s.proposals.push_back(name);
  }
}

// numerics: {k: K, promote_every: N|none}: each point also reports the FP8
// GEMM accumulation error its GPU description implies at K.
void read_numerics(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  for (const auto& [k, v] : r.entries(n, "numerics", {"k", "promote_every"})) {
    if (k == "k") {
      const double d = r.number(v, "numerics.k");
      if (d < 1 || d > (1 << 20) || std::floor(d) != d) r.fail(v, "numerics.k", "expected an integer in 1..1048576");
      s.fp8_k = static_cast<int>(d);
    } else {
      s.fp8_promote_every = promote_every(r, v, "numerics.promote_every");
    }
  }
  if (s.fp8_k == 0) r.fail(n, "numerics", "needs k: the K the error is taken at (DeepSeek-V3: 7168)");
  if (s.step) r.fail(n, "numerics", "the FP8 error is reported for kernel and layer workloads, not the step");
}

void read_constraints(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  if (!n.IsSequence()) r.fail(n, "constraints", "expected a list of expressions over the axes");
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> labels;
  for (const Axis& a : s.axes) {
    keys.push_back(a.key);
    labels.push_back(a.labels);
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string key = fmt::format("constraints[{}]", i);
    const std::string text = r.text(n[i], key);
    try {
      s.constraints.push_back(Constraint::parse(text, keys, labels));
    } catch (const Error& e) {
      r.fail(n[i], key, fmt::format("'{}': {}", text, e.what()));
    }
  }
}

void read_outputs(const Reader& r, const YAML::Node& n, SweepSpec& s) {
  const std::vector<std::string> all = available_outputs(s);
  if (!n.IsDefined()) {
    s.outputs = all;
    return;
  }
  if (!n.IsSequence() || n.size() == 0) r.fail(n, "outputs", "expected a non-empty list of output names");
  for (const auto& e : n) {
    const std::string name = r.text(e, "outputs");
    if (std::find(all.begin(), all.end(), name) == all.end()) {
      const std::string hint = closest_match(name, all);
      r.fail(e, "outputs",
             fmt::format("unknown output '{}'{}; this workload gives {}", name,
                         hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(all, ", ")));
    }
    if (std::find(s.outputs.begin(), s.outputs.end(), name) != s.outputs.end())
      r.fail(e, "outputs", fmt::format("{} is listed twice", name));
    s.outputs.push_back(name);
  }
}

}  // namespace

std::vector<std::string> available_outputs(const SweepSpec& s) {
  std::vector<std::string> out = {"total_us", "forward_us", "backward_input_us", "backward_weight_us"};
  if (!s.kernel.empty()) out = {"time_us", "sm_clock_mhz"};
  if (s.step) out = {"step_s", "bubble_s", "tokens_per_gpu_s", "mfu", "dispatch_us", "combine_us"};
  if (s.fp8_k > 0) out.insert(out.end(), {"fp8_max_rel_error", "fp8_mean_rel_error"});
  return out;
}

SweepSpec read_sweep(const std::filesystem::path& file) {
  SweepSpec s;
  s.file = file.string();
  const Reader r{s.file};
  YAML::Node root;
  if (std::filesystem::exists(file) && !std::filesystem::is_regular_file(file)) {
    throw Error(fmt::format("cannot read sweep file '{}': not a regular file (a folder, device or FIFO)", s.file));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read sweep file '{}'", s.file));
  std::ostringstream read;
  read << in.rdbuf();
  const std::string text = read.str();
  if (const size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    throw Error(fmt::format("{}:{}: not UTF-8 text (byte 0x{:02X}); a sweep file is UTF-8 YAML", s.file, line,
                            static_cast<unsigned char>(text[bad])));
  }
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: malformed YAML: {}", s.file, e.mark.line + 1, e.msg));
  }
  const auto top =
      r.entries(root, "sweep file",
                {"gpu", "workload", "set", "proposals", "numerics", "axes", "constraints", "outputs", "sampling"});
  if (!root["workload"].IsDefined()) r.fail(root, "workload", "missing (a kernel, the layer or the step)");
  if (!root["axes"].IsDefined()) r.fail(root, "axes", "missing (at least one axis)");
  if (root["gpu"].IsDefined()) s.gpu = r.text(root["gpu"], "gpu");
  read_workload(r, root["workload"], s);
  if (root["set"].IsDefined()) {
    for (const auto& [k, v] : r.entries(root["set"], "set", {})) s.overrides.push_back(k + "=" + r.text(v, "set." + k));
  }
  if (root["numerics"].IsDefined()) read_numerics(r, root["numerics"], s);
  r.entries(root["axes"], "axes", {});  // an axis given twice names both lines
  for (const auto& kv : root["axes"]) {
    Axis a;
    a.key = kv.first.Scalar();
    a.line = kv.first.Mark().line + 1;
    classify_axis(r, kv.first, s, a);
    for (const auto& o : s.overrides)
      if (o.starts_with(a.key + "=")) r.fail(kv.first, a.key, "is both an axis and a fixed set: value");
    read_axis_values(r, kv.second, a, s.step);
    check_integer_axis(r, kv.first, s, a);
    s.axes.push_back(std::move(a));
  }
  if (s.axes.empty()) r.fail(root["axes"], "axes", "expected at least one axis");
  if (root["proposals"].IsDefined()) read_proposals(r, root["proposals"], s);
  if (root["constraints"].IsDefined()) read_constraints(r, root["constraints"], s);
  read_outputs(r, root["outputs"], s);
  if (root["sampling"].IsDefined()) read_sampling(r, root["sampling"], s);
  double grid = 1;
  for (const Axis& a : s.axes) grid *= static_cast<double>(a.values.size());
  if (s.sampling.method == "grid" && grid > kMaxPoints)
    r.fail(root["axes"], "axes", fmt::format("the grid has {} points; at most {}", grid, kMaxPoints));
  return s;
}

}  // namespace hwsim::sweep
