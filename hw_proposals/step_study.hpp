#pragma once
// The step-level part of a what-if study: one DeepSeek-V3 training step
// (deepseek_v3::simulate_step) with the baseline EP communication (DeepEP on
// SMs) and with each step-level proposal's communication model on the GPU its
// spec delta describes, all else equal, plus a sweep of each proposal's
// parameters (each a one-axis sweep of the sweep's core, sensitivity.hpp).
// Compute kernel times come from one predictor shared by every step (a
// PredictionTable): the proposals' spec deltas set only communication
// parameters, which no compute kernel reads (proposal.hpp), so the baseline
// GPU's predictions hold for every configuration.
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "hw_proposals/proposal.hpp"
#include "sim/batch_runner.hpp"
#include "workloads/deepseek_v3/step.hpp"

namespace hwsim::proposals {

struct StepStudyOptions {
  std::string gpu = "h800-sxm";
  std::vector<std::string> overrides;  // --set, applied to every configuration after its spec delta
  deepseek_v3::StepOptions step;
  comm::DeepEpConfig baseline;  // the baseline's DeepEP kernels (SMs held, chunking)
  bool sensitivity = true;
};

// The distinct compute kernels a step asks its predictor for, in first-use
// order: found by running the step once with a predictor that records each
// request and answers 1 us (which kernels a step times does not depend on
// their times). Which kernels depends on the communication (the SMs it holds,
// the HBM traffic it puts beside compute), so every step of the study is
// recorded: the baseline, each proposal and each sensitivity point.
std::vector<KernelRequest> step_kernel_requests(const StepStudyOptions& options,
                                                std::span<const Proposal* const> proposals);

// Runs the baseline step, each proposal's step and each sensitivity point,
// and returns the `step` object of the hwsim_study contract
// (docs/proposals.md): workload, baseline, proposals[] with speed-up =
// baseline step time / proposal step time. Throws hwsim::Error naming the
// proposal when one is not step-level or its GPU lacks the feature, and
// naming the kernel when `compute` cannot time one.
nlohmann::json run_step_study(std::span<const Proposal* const> proposals, const StepStudyOptions& options,
                              KernelPredictor& compute);

// Markdown section of summary.md for the step-level results ("" when the
// study has none).
std::string step_study_markdown(const nlohmann::json& study);

// One Markdown line per sensitivity sweep of `proposals` (a study's proposals
// array), after `heading` when there is any; empty when no proposal sweeps.
// Shared by the layer study's summary and the step's.
std::string sensitivity_markdown(const nlohmann::json& proposals, const std::string& heading);

}  // namespace hwsim::proposals
