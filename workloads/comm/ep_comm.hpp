#pragma once
// The extension point for expert-parallel communication: how a dispatch and a
// combine are carried out, and what that takes from compute. The baseline
// (DeepEP on SMs) and each hardware proposal of V3 3.5.1 are separate
// implementations (proposals are alternative implementations, never branches
// in the baseline: docs/proposals.md, "How a proposal is modelled").
//
// Contract: dispatch/combine are pure functions of their inputs; sms_held()
// is the SM count compute loses while a dispatch or combine runs.
#include <memory>
#include <string>

#include "models/spec/hardware_spec.hpp"
#include "workloads/comm/comm_kernel.hpp"
#include "workloads/comm/deepep.hpp"

namespace hwsim::comm {

class EpComm {
 public:
  virtual ~EpComm() = default;
  virtual std::string name() const = 0;
  virtual CommKernelResult dispatch(const HardwareSpec& spec, const EpRouting& routing,
                                    const TokenPayload& payload) const = 0;
  virtual CommKernelResult combine(const HardwareSpec& spec, const EpRouting& routing,
                                   const TokenPayload& payload) const = 0;
  virtual int sms_held() const = 0;
};

// Baseline: DeepEP normal kernels on `config.num_sms` SMs; internode when the
// EP group spans nodes, intranode otherwise.
std::unique_ptr<EpComm> make_deepep_sm_comm(const DeepEpConfig& config = {});

// Shared by implementations: runs the internode or intranode kernel of `config`.
CommKernelResult run_deepep(const HardwareSpec& spec, const EpRouting& routing, const TokenPayload& payload,
                            const DeepEpConfig& config, bool combine);

}  // namespace hwsim::comm
