#pragma once
// A what-if study: the DeepSeek-V3 layer's kernels simulated on a GPU as they
// are (the baseline) and as each proposal rewrites them on the GPU its spec
// delta describes, plus a sensitivity sweep of each proposal's parameters.
// Every configuration is simulated in a process of its own (sim/batch_runner)
// and only the kernels a proposal rewrites are simulated again: by the
// proposals' contract the others take the baseline's time.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw_proposals/proposal.hpp"
#include "sim/batch_runner.hpp"

namespace hwsim::proposals {

struct StudyOptions {
  std::string gpu = "h800-sxm";
  std::vector<std::string> overrides;      // --set, applied to every configuration
  deepseek_v3::LayerOptions layer;
  std::vector<std::string> proposals;      // names; empty = all
  bool sensitivity = true;
  int jobs = 2;
  std::string model_name = "sim";          // recorded in the results
  nlohmann::json hwsim = nlohmann::json::object();  // {"version", "git"} of the build, recorded in the results
};

// Runs the study and returns its results in the `hwsim_study` JSON contract
// (docs/proposals.md). Throws hwsim::Error when the baseline itself cannot be
// simulated; a proposal kernel the model cannot run is reported in the JSON.
nlohmann::json run_study(const StudyOptions& options, const PredictorFactory& factory);

// Tidy CSV (configuration, kernel, phase, stat, value, unit) and a Markdown
// summary naming, for each proposal, the layer-level speed-up and the kernels
// that produce it.
std::string study_csv(const nlohmann::json& study);
std::string study_markdown(const nlohmann::json& study);

}  // namespace hwsim::proposals
