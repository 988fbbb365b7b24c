#pragma once
// SmUnit: one timed unit of an SM (TMA, tensor pipe, CUDA-core pipes,
// load/store unit, mbarriers, network port). The role dispatcher hands each
// op of a program to the unit that takes its kind; the unit charges its own
// servers and the memory system and advances the role (RoleContext).
//
// Contract: issue() runs in the role's SystemC thread at the current
// simulated time and may wait; check() runs before a launch is simulated and
// throws hwsim::Error when the unit cannot serve the op (a data path this
// implementation lacks), so a launch fails before SystemC time passes.
// A unit never reaches into another unit; shared state goes through the
// RoleContext (the role's own) or the GpuEnv (memory system, trace).
#include <span>

#include "sim/gpu/units/role_context.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

class SmUnit {
 public:
  virtual ~SmUnit() = default;
  // The op kinds this unit takes (each kind has exactly one unit per SM).
  virtual std::span<const OpKind> ops() const = 0;
  virtual void issue(const Op& op, RoleContext& role) = 0;
  virtual void check(const Op& /*op*/, const KernelProgram& /*k*/) const {}
  // After every run: forget what is in flight (the next run starts idle).
  virtual void end_run() {}
};

}  // namespace hwsim::sim
