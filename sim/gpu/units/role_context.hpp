#pragma once
// What a role thread (one warp group of one CTA) carries while it issues its
// program: the launch it belongs to, its CTA's mbarriers, the SM it runs on,
// and its own waiting state (stall time by reason, wgmma commit groups and
// TMA stores in flight). SM units (sm_unit.hpp) read and advance it; the
// dispatcher (sim/gpu/gpu.cpp) owns it for the role's lifetime.
#include <array>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/scheduler.hpp"
#include "sim/engine/time.hpp"
#include "sim/engine/trace_writer.hpp"
#include "sim/gpu/launch_stats.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

class MemorySystem;
struct Sm;

// Why a role waited; reported as stalls "<role>.<reason>".
enum Stall : int {
  kBarrierWait,
  kWgmmaWait,
  kTmaInflight,
  kTmaIssue,
  kGlobalLoad,
  kStoreDrain,
  kCudaCore,
  kShared,
  kSyncWait,
  kLinkWait,
  kStallCount
};
const char* stall_name(Stall s);

// An mbarrier: completes a phase when `expected` arrivals are in and every
// TMA transaction counted against the phase has landed (its ready tick).
struct Barrier {
  static constexpr int kRing = 64;  // phases a waiter may lag behind (>> pipeline stages)
  int expected = 1;
  int arrived = 0;
  std::int64_t completed = 0;
  Tick pending_ready = 0;
  std::array<Tick, kRing> ready{};
  Event ev;
};

struct CtaState {
  explicit CtaState(size_t n) : barriers(n) {}
  std::deque<Barrier> barriers;  // an Event is immovable: deque keeps addresses stable
  int roles_done = 0;
  Event done_ev;
};

// One launch as its roles see it.
struct LaunchCtx {
  const KernelProgram* k = nullptr;
  LaunchStats* st = nullptr;
  std::uint64_t key_prefix = 0;  // names the launch's buffers in the L2 model
  std::int64_t clusters = 0;
  std::int64_t next_cluster = 0;
  int slots_running = 0;
  Event done_ev;
  std::vector<int> first_warp;  // per role
  int total_warps = 0;
  std::vector<BandwidthServer> links;  // KernelProgram::links, per launch
};

// The machine-wide parts a unit may reach: the memory system, the trace and
// the scheduler that keeps the clock.
struct GpuEnv {
  const HardwareSpec& spec;
  const ClockDomain& clock;
  MemorySystem& memory;
  TraceWriter* trace;  // nullptr: no trace
  Scheduler& scheduler;
};

class RoleContext {
 public:
  RoleContext(const GpuEnv& gpu, LaunchCtx& launch, CtaState& cta, Sm& sm, int role, int rank);

  const GpuEnv& gpu;
  LaunchCtx& launch;
  const KernelProgram& k;
  LaunchStats& st;
  CtaState& cta;
  Sm& sm;
  const int role;      // index into KernelProgram::roles
  const int rank;      // CTA index within its cluster
  const int first_sp;  // sub-partition of the role's first warp
  const int used_sps;  // sub-partitions the role's warps occupy
  const Tick born;

  std::deque<Tick> wgmma_groups;  // commit groups in flight (completion ticks)
  Tick store_done = 0;            // last TMA / global store of this role drained
  std::int64_t syncs = 0;         // CTA-wide barriers passed

  Tick now() const { return gpu.scheduler.now(); }
  // Waits until `t`, charging the wait to `why` (inline: units call it for
  // nearly every op).
  void stall_until(Tick t, Stall why) {
    const Tick n = now();
    if (t > n) {
      stalls_[why] += t - n;
      gpu.scheduler.wait_until(t);
    }
  }
  // Waits until barrier `b` has completed `target` phases and their data landed.
  void wait_barrier(Barrier& b, std::int64_t target, Stall why);
  void arrive(Barrier& b);
  // The L2 model's name of a chunk of one of the launch's tensors (inline:
  // it runs for every chunk a kernel moves).
  std::uint64_t chunk_key(int tensor, bool box, std::uint64_t index) const {
    return launch.key_prefix | (static_cast<std::uint64_t>(tensor) << 40) | (box ? (1ULL << 39) : 0) |
           (index & ((1ULL << 39) - 1));
  }
  // Adds the role's stalls and lifetime to the launch's statistics.
  void finish();

 private:
  std::array<Tick, kStallCount> stalls_{};
};

}  // namespace hwsim::sim
