#include "workloads/deepseek_v3/step_proposals.hpp"

#include <map>

namespace hwsim::deepseek_v3 {
namespace {

// The compute kernels are the same in every row: predict each once (a
// simulator takes about a second per large kernel).
class CachedPredictor final : public KernelPredictor {
 public:
  explicit CachedPredictor(KernelPredictor& inner) : inner_(inner) {}
  Prediction predict(const std::string& kernel, const nlohmann::json& params) override {
    const std::string key = kernel + params.dump();
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, inner_.predict(kernel, params)).first;
    return it->second;
  }

 private:
  KernelPredictor& inner_;
  std::map<std::string, Prediction> cache_;
};

}  // namespace

ProposalStudy comm_proposal_study(const HardwareSpec& spec, KernelPredictor& predictor, const StepOptions& options,
                                  const comm::DeepEpConfig& baseline, const comm::CommOffloadParams& offload,
                                  const comm::UnifiedFabricParams& unified) {
  ProposalStudy s;
  CachedPredictor cached(predictor);
  std::vector<std::unique_ptr<comm::EpComm>> models;
  models.push_back(comm::make_deepep_sm_comm(baseline));
  models.push_back(comm::make_comm_offload(offload));
  models.push_back(comm::make_unified_scaleup_scaleout(unified));
  for (const auto& m : models) {
    const StepResult r = simulate_step(spec, cached, *m, options);
    ProposalStudy::Row row;
    row.name = m->name();
    row.step_s = r.step_s;
    row.fb_s = r.fb_s;
    row.dispatch_us = r.dispatch.time_s * 1e6;
    row.combine_us = r.combine.time_s * 1e6;
    row.comm_sms = m->sms_held();
    row.speedup = s.rows.empty() ? 1.0 : s.rows.front().step_s / r.step_s;
    s.rows.push_back(row);
  }
  return s;
}

nlohmann::json ProposalStudy::to_json() const {
  nlohmann::json a = nlohmann::json::array();
  for (const Row& r : rows) {
    a.push_back({{"name", r.name},
                 {"step_s", r.step_s},
                 {"speedup", r.speedup},
                 {"f_and_b_s", r.fb_s},
                 {"dispatch_us", r.dispatch_us},
                 {"combine_us", r.combine_us},
                 {"comm_sms", r.comm_sms}});
  }
  return {{"study", "comm_proposals"}, {"rows", a}};
}

}  // namespace hwsim::deepseek_v3
