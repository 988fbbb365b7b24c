#pragma once
// TmaUnit: the SM's Tensor Memory Accelerator as Hopper has it: an issue
// pipeline (tma.issue_cycles per box), a limit on boxes in flight
// (tma.max_inflight_per_sm) and a fill port into shared memory
// (tma.bytes_per_clk). A box is decomposed into memory-system chunks
// (models/tma/box.hpp); with multicast, each CTA of the cluster fetches its
// share and the unit delivers the whole box to every CTA.
//
// Other TMA implementations (a proposal's casting TMA) derive from it and
// change how a box lands in shared memory through the protected hooks; the
// spec's `tma.implementation` picks one (units/implementations.hpp).
#include <string>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/capacity_pool.hpp"
#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

// What a TMA implementation is built from.
struct TmaEnv {
  const HardwareSpec& spec;
  const ClockDomain& clock;
  TraceWriter* trace;
  int sm;  // SM index, for the trace track's name
};

class TmaUnit : public SmUnit {
 public:
  explicit TmaUnit(const TmaEnv& env);
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;
  void check(const Op& op, const KernelProgram& k) const override;
  void end_run() override { inflight_.clear(); }

 protected:
  // Whether this implementation serves a box moved through `path` (the
  // standard TMA copies as stored; memory-side paths pass through to L2/HBM).
  virtual bool serves(DataPath path) const { return path != DataPath::kTmaCast; }
  // The path the box's chunks take in the memory system.
  virtual DataPath memory_path(const Op& op) const { return op.path; }
  // Bytes the box writes into shared memory, given the bytes it covers.
  virtual std::int64_t landed_bytes(const Op& /*op*/, const TensorDesc& /*td*/, std::int64_t box_bytes) const {
    return box_bytes;
  }
  // When the unit has processed the `fetched` bytes this CTA read (a cast
  // on the way in); the standard TMA copies, so at once.
  virtual Tick process(const Op& /*op*/, Tick start, std::int64_t /*fetched*/, LaunchStats& /*st*/) { return start; }

 private:
  struct Moved {
    std::int64_t box_bytes = 0;  // bytes the box covers
    std::int64_t fetched = 0;    // bytes this CTA moved to or from memory
    Tick mem_done = 0;
  };
  Moved move_chunks(const Op& op, Tick start, RoleContext& role);
  void copy_box(const Op& op, RoleContext& role);

  BandwidthServer fill_;
  Pipeline issue_;
  CapacityPool inflight_;
  Tick issue_ticks_, extra_ticks_;
  TraceWriter* trace_;
  int track_ = -1;
};

}  // namespace hwsim::sim
