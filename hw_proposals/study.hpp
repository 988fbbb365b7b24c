#pragma once
// A what-if study: the DeepSeek-V3 layer's kernels simulated on a GPU as they
// are (the baseline) and as each layer-level proposal rewrites them on the GPU
// its spec delta describes, plus a sensitivity sweep of each proposal's
// parameters (each a one-axis sweep of the sweep's core, sensitivity.hpp).
// Every configuration is simulated in a process of its own (sim/batch_runner)
// and only the kernels a proposal rewrites are simulated again: by the
// proposals' contract the others take the baseline's time. Step-level proposals
// (communication) are studied on the whole training step (step_study.hpp); the
// step's compute kernels are simulated once, in the same batches, and shared by
// every step.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hw_proposals/proposal.hpp"
#include "hw_proposals/step_study.hpp"
#include "sim/batch_runner.hpp"

namespace hwsim::proposals {

struct StudyOptions {
  std::string gpu = "h800-sxm";
  std::vector<std::string> overrides;  // --set, applied to every configuration
  deepseek_v3::LayerOptions layer;
  std::vector<std::string> proposals;  // names; empty = all
  // The training step of the step-level proposals: its micro-batch, EP
  // degree, routing and seed follow `layer` (so the step's MoE kernels are the
  // layer baseline's), then these "key=value" step options apply (StepOptions::set).
  std::vector<std::string> step_options;
  bool sensitivity = true;
  int jobs = 2;
  std::string model_name = "sim";                   // recorded in the results
  nlohmann::json hwsim = nlohmann::json::object();  // {"version", "git"} of the build, recorded in the results
};

// The step options a study runs its training step with (see step_options).
deepseek_v3::StepOptions study_step_options(const StudyOptions& options);

// Runs the study and returns its results in the `hwsim_study` JSON contract
// (docs/proposals.md): layer-level proposals under "proposals", step-level
// ones under "step" (absent when none was chosen). Throws hwsim::Error when
// the baseline layer or step cannot be simulated; a proposal kernel the model
// cannot run is reported in the JSON.
nlohmann::json run_study(const StudyOptions& options, const PredictorFactory& factory);

// Tidy CSV (configuration, kernel, phase, stat, value, unit) and a Markdown
// summary naming, for each proposal, the layer-level speed-up and the kernels
// that produce it, and the step-level speed-ups.
std::string study_csv(const nlohmann::json& study);
std::string study_markdown(const nlohmann::json& study);

}  // namespace hwsim::proposals
