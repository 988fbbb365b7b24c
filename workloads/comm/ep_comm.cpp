#include "workloads/comm/ep_comm.hpp"

namespace hwsim::comm {
namespace {

class DeepEpSmComm final : public EpComm {
 public:
  explicit DeepEpSmComm(const DeepEpConfig& c) : config_(c) {}
  std::string name() const override { return "deepep_sm"; }
  CommKernelResult dispatch(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    return run_deepep(s, r, p, config_, false);
  }
  CommKernelResult combine(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    return run_deepep(s, r, p, config_, true);
  }
  int sms_held() const override { return config_.num_sms; }

 private:
  DeepEpConfig config_;
};

}  // namespace

CommKernelResult run_deepep(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                            const DeepEpConfig& config, bool combine) {
  if (routing.nodes > 1) {
    return combine ? internode_combine(spec, routing, payload, config)
                   : internode_dispatch(spec, routing, payload, config);
  }
  return combine ? intranode_combine(spec, routing, payload, config)
                 : intranode_dispatch(spec, routing, payload, config);
}

std::unique_ptr<EpComm> make_deepep_sm_comm(const DeepEpConfig& config) {
  return std::make_unique<DeepEpSmComm>(config);
}

}  // namespace hwsim::comm
