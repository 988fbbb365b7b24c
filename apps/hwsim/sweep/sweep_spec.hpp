#pragma once
// A sweep file (YAML; docs/sweeps.md, examples/sweep-hbm-l2.yaml): the GPU, a
// workload (one kernel or the DeepSeek-V3 layer), fixed --set overrides, axes
// (a GPU description key, a kernel param `param.NAME`, or the layer's
// `tokens`; each a list of values or a linear/log range) and the sampling
// (grid, random or Latin hypercube, with an explicit seed). Reading checks
// everything a point will need and names the file, line and key of the first
// problem; expanding gives the points in a fixed order. The axes, points,
// constraints and expansion are the sweep's core (hw_proposals/sweep/), which
// the study's sensitivity lines share; this file adds the file and the
// `hwsim run` a point asks for.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hw_proposals/sweep/axis.hpp"
#include "hw_proposals/sweep/constraint.hpp"
#include "hw_proposals/sweep/expansion.hpp"

namespace hwsim::sweep {

struct SweepSpec {
  std::string file;
  std::string gpu = "h800-sxm";
  std::string kernel;                                // empty: the layer or the step
  bool step = false;                                 // the DeepSeek-V3 training step (hwsim step)
  std::string step_model = "sim";                    // the step's kernel timing model (hwsim step --model)
  nlohmann::json params = nlohmann::json::object();  // the kernel's fixed params
  int tokens = 4096;                                 // the layer's
  std::vector<std::string> overrides;                // fixed --set
  std::vector<std::string> proposals;                // applied at every point (the layer; the step: one comm proposal)
  std::vector<Axis> axes;
  std::vector<Constraint> constraints;  // a point runs where every one holds
  std::vector<std::string> outputs;     // kept in the results, in this order
  // numerics: the FP8 GEMM accumulation error at this K (0: not asked) and
  // the promotion interval ("128", "none"), as hwsim run --fp8-error-k takes them.
  int fp8_k = 0;
  std::string fp8_promote_every = "128";
  Sampling sampling;
};

// Throws hwsim::Error "FILE:LINE: key: what was expected" for the first problem.
SweepSpec read_sweep(const std::filesystem::path& file);
// The points, in a fixed order (expand_points); those a constraint excludes
// are dropped and the others keep their index.
std::vector<SweepPoint> expand(const SweepSpec& s);
// What a point's result offers: a kernel's time and clock; the layer's total
// and phases; the step's time, throughput and all-to-all times (`outputs:`
// chooses among them; all by default).
std::vector<std::string> available_outputs(const SweepSpec& s);

// The resolved run of a point: what `hwsim run` (`hwsim step` for the step)
// is asked, its argv after the command name, and the canonical JSON its
// content hash is taken over (the argv under "hwsim_run" or "hwsim_step").
std::vector<std::string> point_arguments(const SweepSpec& s, const SweepPoint& p);
nlohmann::json point_spec(const SweepSpec& s, const SweepPoint& p, std::string_view simulator_version);
// The workload as sweep.json names it: the kernel, deepseek-v3-layer or deepseek-v3-step.
std::string workload_name(const SweepSpec& s);

}  // namespace hwsim::sweep
