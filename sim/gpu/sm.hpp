#pragma once
// Sm: one streaming multiprocessor as the dispatcher sees it: its place in
// the GPU (GPC, the L2 partition it attaches to) and its units, each taking
// the op kinds it declares (units/sm_unit.hpp). The TMA is the implementation
// the spec names (tma.implementation); the other units are Hopper's.
#include <array>
#include <memory>
#include <vector>

#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

struct Sm {
  // Builds the units (and their trace tracks, in a fixed order) of SM `index`.
  Sm(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int index);
  SmUnit& unit_for(OpKind kind) const { return *by_op_[static_cast<size_t>(kind)]; }
  void end_run();

  int gpc = 0;
  int partition = 0;  // L2 partition this SM's GPC attaches to

 private:
  std::vector<std::unique_ptr<SmUnit>> units_;
  std::array<SmUnit*, kOpKinds> by_op_{};
};

}  // namespace hwsim::sim
