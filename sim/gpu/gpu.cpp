#include "sim/gpu/gpu.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/memory/address_hash.hpp"
#include "models/sm/occupancy.hpp"
#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::sim {

namespace {
// Stack sizes of the processes: a role runs the units' issue() and the memory
// system's chunk callbacks; a slot and a stream only wait.
constexpr std::size_t kRoleStackBytes = 128 * 1024;
constexpr std::size_t kSlotStackBytes = 128 * 1024;
constexpr std::size_t kStreamStackBytes = 64 * 1024;
}  // namespace

struct Gpu::Impl {
  static void run_role(Gpu& gpu, LaunchCtx& L, CtaState& cta, int sm, int role, std::int64_t cluster, int rank);
  static void run_slot(Gpu& gpu, LaunchCtx& L, std::vector<int> sms);
  static void run_stream(Gpu& gpu, const StreamLaunch& s, int index, std::vector<LaunchStats>& out, bool flush_each);
  static void launch(Gpu& gpu, const KernelProgram& k, const std::vector<int>& set, int stream, LaunchStats& st);
  static std::vector<std::vector<int>> cluster_slots(const Gpu& gpu, const std::vector<int>& set,
                                                     const KernelProgram& k, int ctas_per_sm);
  static void prepare_launch(LaunchCtx& L, const KernelProgram& k, LaunchStats& st, int stream);
  static void check_launches(const Gpu& gpu, const std::vector<StreamLaunch>& streams);
  static double l2_reach(const Gpu& gpu, const std::vector<StreamLaunch>& streams);
};

Gpu::Gpu(const HardwareSpec& spec, const SimOptions& options)
    : spec_(spec), options_(options), clock_(spec.clock.sm_MHz) {
  if (options_.chunk_bytes < spec_.l2.sector_bytes) {
    throw Error(fmt::format("chunk size {} B is below the L2 sector of {} B (l2.sector_bytes)", options_.chunk_bytes,
                            spec_.l2.sector_bytes));
  }
  scheduler_ = std::make_unique<Scheduler>();
  if (!options_.trace_path.empty()) {
    trace_ = std::make_unique<TraceWriter>(options_.trace_path, options_.trace_max_events);
    trace_->set_process_name(spec_.name);
  }
  memory_ = std::make_unique<MemorySystem>(spec_, clock_, options_.chunk_bytes, trace_.get());
  sms_.reserve(static_cast<size_t>(spec_.sm.count));
  int gpc = 0, in_gpc = 0;
  for (int s = 0; s < spec_.sm.count; ++s) {
    sms_.emplace_back(spec_, clock_, trace_.get(), s);
    while (in_gpc >= spec_.sm.sms_per_gpc[static_cast<size_t>(gpc)]) {
      ++gpc;
      in_gpc = 0;
    }
    ++in_gpc;
    sms_.back().gpc = gpc;
    sms_.back().partition = gpc * spec_.l2.partitions / spec_.sm.gpcs;
  }
}

Gpu::~Gpu() = default;

void Gpu::write_trace() const {
  if (trace_) trace_->write();
}

// The role dispatcher: runs the role's program over its work units, handing
// each op to the SM unit that takes its kind (units/sm_unit.hpp).
void Gpu::Impl::run_role(Gpu& gpu, LaunchCtx& L, CtaState& cta, int sm, int role, std::int64_t cluster, int rank) {
  const KernelProgram& k = *L.k;
  Sm& unit = gpu.sms_[static_cast<size_t>(sm)];
  const GpuEnv env{gpu.spec_, gpu.clock_, *gpu.memory_, gpu.trace_.get(), *gpu.scheduler_};
  RoleContext ctx(env, L, cta, unit, role, rank);
  OpList ops;
  const std::int64_t launched_clusters = k.ctas / k.cluster_size;
  std::int64_t seq = 0;
  for (std::int64_t w = cluster; w < k.work_units; w += (k.persistent ? launched_clusters : k.work_units), ++seq) {
    ops.clear();
    k.emit(role, w, seq, rank, ops);
    for (const Op& op : ops) unit.unit_for(op.kind).issue(op, ctx);
  }
  ctx.finish();
  ++cta.roles_done;
  gpu.scheduler_->notify(cta.done_ev);
}

void Gpu::Impl::run_slot(Gpu& gpu, LaunchCtx& L, std::vector<int> sms) {
  const KernelProgram& k = *L.k;
  const int roles = static_cast<int>(k.roles.size());
  while (L.next_cluster < L.clusters) {
    const std::int64_t cluster = L.next_cluster++;
    std::vector<std::unique_ptr<CtaState>> ctas;
    for (int r = 0; r < k.cluster_size; ++r) {
      auto cta = std::make_unique<CtaState>(static_cast<size_t>(k.barriers + 1));
      for (int b = 0; b < k.barriers; ++b)
        cta->barriers[static_cast<size_t>(b)].expected = k.barrier_arrivals[static_cast<size_t>(b)];
      cta->barriers.back().expected = roles;
      if (roles == 1 && k.cluster_size == 1) {
        // One role, one CTA: run it in this thread (no process per CTA), which
        // keeps grids of tens of thousands of small CTAs cheap.
        Impl::run_role(gpu, L, *cta, sms[0], 0, cluster, 0);
        continue;
      }
      for (int role = 0; role < roles; ++role) {
        CtaState* c = cta.get();
        const int sm = sms[static_cast<size_t>(r)];
        gpu.scheduler_->spawn([&gpu, &L, c, sm, role, cluster, r] { Impl::run_role(gpu, L, *c, sm, role, cluster, r); },
                              kRoleStackBytes);
      }
      ctas.push_back(std::move(cta));
    }
    for (auto& c : ctas) {
      while (c->roles_done < roles) gpu.scheduler_->wait(c->done_ev);
    }
  }
  --L.slots_running;
  gpu.scheduler_->notify(L.done_ev);
}

// Block scheduler: a cluster occupies `cluster_size` SMs of one GPC
// (docs/engine.md, "SMs, GPCs and clusters"); slots interleave GPCs so
// consecutive clusters spread out, and each SM offers `ctas_per_sm` levels.
std::vector<std::vector<int>> Gpu::Impl::cluster_slots(const Gpu& gpu, const std::vector<int>& set,
                                                       const KernelProgram& k, int ctas_per_sm) {
  const int gpcs = gpu.spec_.sm.gpcs;
  const auto size = static_cast<size_t>(k.cluster_size);
  std::vector<std::vector<std::vector<int>>> per_gpc(static_cast<size_t>(gpcs));
  std::vector<std::vector<int>> avail(static_cast<size_t>(gpcs));
  for (int sm : set) avail[static_cast<size_t>(gpu.sms_[static_cast<size_t>(sm)].gpc)].push_back(sm);
  size_t max_groups = 0;
  for (int g = 0; g < gpcs; ++g) {
    const auto& a = avail[static_cast<size_t>(g)];
    auto& groups = per_gpc[static_cast<size_t>(g)];
    for (size_t i = 0; i + size <= a.size(); i += size) {
      groups.emplace_back(a.begin() + static_cast<long>(i), a.begin() + static_cast<long>(i + size));
    }
    max_groups = std::max(max_groups, groups.size());
  }
  std::vector<std::vector<int>> slots;
  for (int level = 0; level < ctas_per_sm; ++level) {
    for (size_t i = 0; i < max_groups; ++i) {
      for (auto& groups : per_gpc) {
        if (i < groups.size()) slots.push_back(groups[i]);
      }
    }
  }
  if (slots.empty()) {
    throw Error(
        fmt::format("kernel {}: no GPC has {} free SMs for a cluster in the given SM set", k.name, k.cluster_size));
  }
  return slots;
}

// The launch's fixed context: buffers' L2 names, network ports, warp layout.
void Gpu::Impl::prepare_launch(LaunchCtx& L, const KernelProgram& k, LaunchStats& st, int stream) {
  L.k = &k;
  L.st = &st;
  L.key_prefix = (mix64(k.buffer_tag ^ static_cast<std::uint64_t>(stream)) & 0xFFFF) << 48;
  L.clusters = k.ctas / k.cluster_size;
  for (const LinkDesc& l : k.links) {
    if (l.bytes_per_s <= 0) throw Error(fmt::format("kernel {}: link {} has no bandwidth", k.name, l.name));
    L.links.emplace_back(bytes_per_tick_from_Bps(l.bytes_per_s), ticks_from_seconds(l.latency_s));
  }
  for (const RoleDesc& r : k.roles) {
    L.first_warp.push_back(L.total_warps);
    L.total_warps += r.warps;
  }
}

void Gpu::Impl::launch(Gpu& gpu, const KernelProgram& k, const std::vector<int>& set, int stream, LaunchStats& st) {
  const HardwareSpec& spec = gpu.spec_;
  Scheduler& sched = *gpu.scheduler_;
  st.issued = sched.now();
  sched.wait_until(sched.now() + ticks_from_us(spec.launch.overhead_us));
  st.start = sched.now();
  const Occupancy occ = occupancy(spec.sm, k.resources, k.name);
  st.ctas_per_sm = occ.ctas_per_sm;
  st.occupancy_limiter = occ.limiter;
  st.ctas = k.ctas;
  st.sms = static_cast<int>(set.size());
  st.l2_servers = gpu.memory_->slice_groups();
  st.hbm_servers = gpu.memory_->channel_groups();
  const std::vector<std::vector<int>> slots = cluster_slots(gpu, set, k, occ.ctas_per_sm);
  LaunchCtx L;
  prepare_launch(L, k, st, stream);
  st.cluster_slots = static_cast<int>(slots.size());
  st.waves = static_cast<int>((L.clusters + static_cast<std::int64_t>(slots.size()) - 1) /
                              static_cast<std::int64_t>(slots.size()));
  const size_t n_slots = std::min(slots.size(), static_cast<size_t>(L.clusters));
  L.slots_running = static_cast<int>(n_slots);
  for (size_t i = 0; i < n_slots; ++i) {
    std::vector<int> sms = slots[i];
    sched.spawn([&gpu, &L, sms] { Impl::run_slot(gpu, L, sms); }, kSlotStackBytes);
  }
  while (L.slots_running > 0) sched.wait(L.done_ev);
  sched.wait_until(st.hbm_drain);
  st.end = sched.now();
}

void Gpu::Impl::run_stream(Gpu& gpu, const StreamLaunch& s, int index, std::vector<LaunchStats>& out, bool flush_each) {
  std::vector<int> set = s.sms;
  if (set.empty()) {
    for (int i = 0; i < gpu.spec_.sm.count; ++i) set.push_back(i);
  }
  for (const KernelProgram* k : s.kernels) {
    LaunchStats& st = out.emplace_back();
    launch(gpu, *k, set, index, st);
    if (flush_each) gpu.memory_->flush(&st);
  }
}

// Fails before any simulated time passes: SM ids, occupancy, and every op of
// each role's first work unit against the units that will serve it (a data
// path the GPU's unit implementations lack).
void Gpu::Impl::check_launches(const Gpu& gpu, const std::vector<StreamLaunch>& streams) {
  const Sm& sm0 = gpu.sms_.front();
  OpList ops;
  for (const StreamLaunch& s : streams) {
    for (int sm : s.sms) {
      if (sm < 0 || sm >= gpu.spec_.sm.count)
        throw Error(fmt::format("SM id {} is outside 0..{}", sm, gpu.spec_.sm.count - 1));
    }
    for (const KernelProgram* k : s.kernels) {
      (void)occupancy(gpu.spec_.sm, k->resources, k->name);
      for (int role = 0; role < static_cast<int>(k->roles.size()) && k->work_units > 0; ++role) {
        ops.clear();
        k->emit(role, 0, 0, 0, ops);
        for (const Op& op : ops) {
          sm0.unit_for(op.kind).check(op, *k);
          gpu.memory_->check(op, *k);
        }
      }
    }
  }
}

// The L2 bandwidth the run can draw depends on how many SMs its streams use
// (measured on SM subsets: l2.subset_sms); concurrent streams add up.
double Gpu::Impl::l2_reach(const Gpu& gpu, const std::vector<StreamLaunch>& streams) {
  std::vector<bool> used(static_cast<size_t>(gpu.spec_.sm.count), false);
  for (const StreamLaunch& s : streams) {
    if (s.sms.empty()) used.assign(used.size(), true);
    for (int sm : s.sms) used[static_cast<size_t>(sm)] = true;
  }
  return gpu.spec_.l2_reach_fraction(static_cast<int>(std::count(used.begin(), used.end(), true)));
}

std::vector<std::vector<LaunchStats>> Gpu::run(const std::vector<StreamLaunch>& streams) {
  Impl::check_launches(*this, streams);
  std::vector<std::vector<LaunchStats>> out(streams.size());
  for (size_t i = 0; i < streams.size(); ++i) out[i].reserve(streams[i].kernels.size());
  const bool flush_each = streams.size() == 1 && !options_.carry_l2;
  memory_->set_l2_reach(Impl::l2_reach(*this, streams));
  for (size_t i = 0; i < streams.size(); ++i) {
    const StreamLaunch* s = &streams[i];
    std::vector<LaunchStats>* dst = &out[i];
    const int index = static_cast<int>(i);
    scheduler_->spawn([this, s, index, dst, flush_each] { Impl::run_stream(*this, *s, index, *dst, flush_each); },
                      kStreamStackBytes);
  }
  // An exception in any process stops the run and comes out here.
  scheduler_->run();
  if (!flush_each && !options_.carry_l2) memory_->flush(nullptr);
  for (auto& sm : sms_) sm.end_run();
  return out;
}

LaunchStats Gpu::run_one(const KernelProgram& k, const std::vector<int>& sms) {
  StreamLaunch s;
  s.kernels = {&k};
  s.sms = sms;
  return run({s})[0][0];
}

}  // namespace hwsim::sim
