#pragma once
// The communication proposals of V3 3.5.1 as step-level studies: the same
// step with the baseline EP communication (DeepEP on SMs) and with each
// proposal's model, all else equal. The proposal framework calls this with
// its own parameter sets.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workloads/comm/comm_offload.hpp"
#include "workloads/comm/unified_fabric.hpp"
#include "workloads/deepseek_v3/step.hpp"

namespace hwsim::deepseek_v3 {

struct ProposalStudy {
  struct Row {
    std::string name;
    double step_s = 0;
    double speedup = 0;  // baseline step / this step
    double fb_s = 0;     // 1F1B steady state of rank 0
    double dispatch_us = 0, combine_us = 0;
    int comm_sms = 0;
  };
  std::vector<Row> rows;  // baseline first
  nlohmann::json to_json() const;
};

ProposalStudy comm_proposal_study(const HardwareSpec& spec, KernelPredictor& predictor, const StepOptions& options,
                                  const comm::DeepEpConfig& baseline, const comm::CommOffloadParams& offload,
                                  const comm::UnifiedFabricParams& unified);

}  // namespace hwsim::deepseek_v3
