#pragma once
// MbarrierUnit: the CTA's mbarriers (arrive; wait for a phase, including the
// TMA transactions counted against it) and the CTA-wide barrier
// (__syncthreads, the CTA's last mbarrier with one arrival per role). It has
// no timed resource of its own: waiting is what it models.
#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

class MbarrierUnit final : public SmUnit {
 public:
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;
};

// NetworkPort: a communication kernel's chunk crossing a port outside the
// SM/L2/HBM model (KernelProgram::links, per launch); the role waits until it
// has crossed.
class NetworkPort final : public SmUnit {
 public:
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;
};

}  // namespace hwsim::sim
