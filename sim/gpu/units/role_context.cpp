#include "sim/gpu/units/role_context.hpp"

#include <algorithm>

#include "sim/gpu/sm.hpp"

namespace hwsim::sim {

const char* stall_name(Stall s) {
  static constexpr std::array<const char*, kStallCount> kNames = {
      "barrier_wait", "wgmma_wait",     "tma_inflight_limit", "tma_issue", "global_load",
      "store_drain",  "cuda_core_busy", "shared_memory",      "cta_sync",  "link_wait"};
  return kNames[static_cast<size_t>(s)];
}

RoleContext::RoleContext(const GpuEnv& g, LaunchCtx& l, CtaState& c, Sm& s, int role_index, int r)
    : gpu(g),
      launch(l),
      k(*l.k),
      st(*l.st),
      cta(c),
      sm(s),
      role(role_index),
      rank(r),
      first_sp(l.first_warp[static_cast<size_t>(role_index)] % g.spec.sm.subpartitions),
      used_sps(std::min(l.k->roles[static_cast<size_t>(role_index)].warps, g.spec.sm.subpartitions)),
      born(g.scheduler.now()) {}

void RoleContext::wait_barrier(Barrier& b, std::int64_t target, Stall why) {
  const Tick t0 = now();
  while (b.completed < target) gpu.scheduler.wait(b.ev);
  stalls_[why] += now() - t0;
  if (target > 0) stall_until(b.ready[static_cast<size_t>((target - 1) % Barrier::kRing)], why);
}

void RoleContext::arrive(Barrier& b) {
  if (++b.arrived < b.expected) return;
  b.ready[static_cast<size_t>(b.completed % Barrier::kRing)] = std::max(now(), b.pending_ready);
  ++b.completed;
  b.arrived = 0;
  b.pending_ready = 0;
  gpu.scheduler.notify(b.ev);
}

void RoleContext::finish() {
  while (!wgmma_groups.empty()) {
    stall_until(wgmma_groups.front(), kWgmmaWait);
    wgmma_groups.pop_front();
  }
  stall_until(store_done, kStoreDrain);
  const std::string& rname = k.roles[static_cast<size_t>(role)].name;
  for (int i = 0; i < kStallCount; ++i) {
    const Tick t = stalls_[static_cast<size_t>(i)];
    if (t > 0) st.stalls[rname + "." + stall_name(static_cast<Stall>(i))] += t;
  }
  st.role_time += now() - born;
}

}  // namespace hwsim::sim
