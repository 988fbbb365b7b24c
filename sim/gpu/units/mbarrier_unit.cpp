#include "sim/gpu/units/mbarrier_unit.hpp"

#include <array>

namespace hwsim::sim {

std::span<const OpKind> MbarrierUnit::ops() const {
  static constexpr std::array kOps = {OpKind::kBarrierArrive, OpKind::kBarrierWait, OpKind::kSync};
  return kOps;
}

void MbarrierUnit::issue(const Op& op, RoleContext& role) {
  switch (op.kind) {
    case OpKind::kBarrierArrive:
      role.arrive(role.cta.barriers[static_cast<size_t>(op.barrier)]);
      break;
    case OpKind::kBarrierWait:
      role.wait_barrier(role.cta.barriers[static_cast<size_t>(op.barrier)], op.phase, kBarrierWait);
      break;
    default: {  // kSync
      Barrier& b = role.cta.barriers.back();
      role.arrive(b);
      role.wait_barrier(b, ++role.syncs, kSyncWait);
    }
  }
}

std::span<const OpKind> NetworkPort::ops() const {
  static constexpr std::array kOps = {OpKind::kLink};
  return kOps;
}

void NetworkPort::issue(const Op& op, RoleContext& role) {
  const auto g = role.launch.links[op.tensor].request(role.now(), static_cast<double>(op.bytes));
  role.stall_until(g.done, kLinkWait);
}

}  // namespace hwsim::sim
