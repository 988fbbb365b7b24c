#pragma once
// LoadStoreUnit: plain (non-TMA) global loads and stores, linear or 2-D, and
// shared-memory loads and stores. Every byte passes the SM's L1 /
// shared-memory data port (one data array on Hopper, sm.smem_bytes_per_clk);
// global accesses go to the memory system chunk by chunk. A load blocks the
// role until its data arrives; a store only until it has left the port.
#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/gpu/units/sm_unit.hpp"

namespace hwsim::sim {

class LoadStoreUnit final : public SmUnit {
 public:
  LoadStoreUnit(const HardwareSpec& spec, const ClockDomain& clock);
  std::span<const OpKind> ops() const override;
  void issue(const Op& op, RoleContext& role) override;
  void check(const Op& op, const KernelProgram& k) const override;

 private:
  void global(const Op& op, RoleContext& role);
  void shared(const Op& op, RoleContext& role);
  BandwidthServer port_;
  Tick smem_latency_;
};

}  // namespace hwsim::sim
