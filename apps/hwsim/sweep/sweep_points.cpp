// A sweep file's points and what each one runs: the points from the sweep's
// core (hw_proposals/sweep/expansion.hpp), and the `hwsim run` arguments and
// content-hashed spec of a point.
#include <fmt/format.h>

#include "apps/hwsim/sweep/sweep_spec.hpp"

namespace hwsim::sweep {

std::vector<SweepPoint> expand(const SweepSpec& s) { return expand_points(s.axes, s.constraints, s.sampling); }

namespace {

// What every point starts with: the GPU and the sweep's fixed --set values.
std::vector<std::string> gpu_arguments(const SweepSpec& s) {
  std::vector<std::string> argv = {"--gpu", s.gpu};
  for (const auto& o : s.overrides) argv.insert(argv.end(), {"--set", o});
  return argv;
}

// A step point: `hwsim step` with the GPU, its --set values, the timing model
// and the all-to-all (--comm: the baseline or a communication proposal).
std::vector<std::string> step_arguments(const SweepSpec& s, const SweepPoint& p) {
  std::vector<std::string> argv = gpu_arguments(s);
  std::string comm = s.proposals.empty() ? "deepep_sm" : s.proposals.front();
  for (size_t i = 0; i < s.axes.size(); ++i) {
    const Axis& a = s.axes[i];
    if (a.target == AxisTarget::kSpec) argv.insert(argv.end(), {"--set", spec_override(a, p.values[i])});
    if (a.target == AxisTarget::kProposal) {
      const std::string v = format_value(a, p.values[i]);
      comm = v == "none" ? "deepep_sm" : v;
    }
  }
  argv.insert(argv.end(), {"--model", s.step_model, "--comm", comm});
  return argv;
}

}  // namespace

std::string workload_name(const SweepSpec& s) {
  if (s.step) return "deepseek-v3-step";
  return s.kernel.empty() ? "deepseek-v3-layer" : s.kernel;
}

std::vector<std::string> point_arguments(const SweepSpec& s, const SweepPoint& p) {
  if (s.step) return step_arguments(s, p);
  std::vector<std::string> argv = gpu_arguments(s);
  for (const auto& name : s.proposals) argv.insert(argv.end(), {"--proposal", name});
  std::string tokens = std::to_string(s.tokens);
  std::string promote = s.fp8_promote_every;
  std::vector<std::string> params;
  for (const auto& [k, v] : s.params.items())
    params.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  for (size_t i = 0; i < s.axes.size(); ++i) {
    const Axis& a = s.axes[i];
    const std::string v = format_value(a, p.values[i]);
    if (a.target == AxisTarget::kSpec) argv.insert(argv.end(), {"--set", spec_override(a, p.values[i])});
    if (a.target == AxisTarget::kTokens) tokens = v;
    if (a.target == AxisTarget::kProposal && v != "none") argv.insert(argv.end(), {"--proposal", v});
    if (a.target == AxisTarget::kPromoteEvery) promote = v;
    if (a.target == AxisTarget::kParam) {
      const std::string name = a.key.substr(6);
      std::erase_if(params, [&](const std::string& q) { return q.starts_with(name + "="); });
      params.push_back(name + "=" + v);
    }
  }
  if (s.fp8_k > 0)
    argv.insert(argv.end(), {"--fp8-error-k", std::to_string(s.fp8_k), "--fp8-error-promote-every", promote});
  if (s.kernel.empty()) {
    argv.insert(argv.end(), {"--workload", "deepseek-v3-layer", "--tokens", tokens});
  } else {
    argv.insert(argv.end(), {"--kernel", s.kernel});
    for (const auto& q : params) argv.insert(argv.end(), {"--param", q});
  }
  return argv;
}

nlohmann::json point_spec(const SweepSpec& s, const SweepPoint& p, std::string_view simulator_version) {
  nlohmann::json axes = nlohmann::json::object();
  for (size_t i = 0; i < s.axes.size(); ++i) {
    const Axis& a = s.axes[i];
    axes[a.key] = a.labels.empty() ? nlohmann::json(p.values[i]) : nlohmann::json(format_value(a, p.values[i]));
  }
  return {
      {s.step ? "hwsim_step" : "hwsim_run", point_arguments(s, p)}, {"axes", axes}, {"simulator", simulator_version}};
}

}  // namespace hwsim::sweep
