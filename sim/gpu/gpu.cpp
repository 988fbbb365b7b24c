#include "sim/gpu/gpu.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <systemc>

#include "models/memory/address_hash.hpp"
#include "models/sm/occupancy.hpp"
#include "models/sm/tensor_core.hpp"
#include "models/spec/error.hpp"
#include "models/tma/box.hpp"
#include "sim/engine/systemc_context.hpp"

namespace hwsim::sim {
namespace {

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
constexpr std::array<const char*, kStallCount> kStallNames = {
    "barrier_wait", "wgmma_wait",     "tma_inflight_limit", "tma_issue", "global_load",
    "store_drain",  "cuda_core_busy", "shared_memory",      "cta_sync",  "link_wait"};

// An mbarrier: completes a phase when `expected` arrivals are in and every
// TMA transaction counted against the phase has landed (its ready tick).
struct Barrier {
  static constexpr int kRing = 64;  // phases a waiter may lag behind (>> pipeline stages)
  int expected = 1;
  int arrived = 0;
  std::int64_t completed = 0;
  Tick pending_ready = 0;
  std::array<Tick, kRing> ready{};
  sc_core::sc_event ev;
};

struct CtaState {
  explicit CtaState(size_t n) : barriers(n) {}
  std::deque<Barrier> barriers;  // sc_event is immovable: deque keeps addresses stable
  int roles_done = 0;
  sc_core::sc_event done_ev;
};

struct LaunchCtx {
  const KernelProgram* k = nullptr;
  LaunchStats* st = nullptr;
  std::uint64_t key_prefix = 0;
  std::int64_t clusters = 0;
  std::int64_t next_cluster = 0;
  int slots_running = 0;
  sc_core::sc_event done_ev;
  std::vector<int> first_warp;  // per role
  int total_warps = 0;
  std::vector<BandwidthServer> links;  // KernelProgram::links, per launch
};

std::uint64_t chunk_key(std::uint64_t prefix, int tensor, bool box, std::uint64_t index) {
  return prefix | (static_cast<std::uint64_t>(tensor) << 40) | (box ? (1ULL << 39) : 0) | (index & ((1ULL << 39) - 1));
}

}  // namespace

struct Gpu::Impl {
  static void run_role(Gpu& gpu, LaunchCtx& L, CtaState& cta, int sm, int role, std::int64_t cluster, int rank);
  static void run_slot(Gpu& gpu, LaunchCtx& L, std::vector<int> sms);
  static void run_stream(Gpu& gpu, const StreamLaunch& s, int index, std::vector<LaunchStats>& out, bool flush_each);
};

Gpu::Gpu(const HardwareSpec& spec, const SimOptions& options)
    : spec_(spec), options_(options), clock_(spec.clock.sm_MHz) {
  if (options_.chunk_bytes < spec_.l2.sector_bytes) {
    throw Error(fmt::format("chunk size {} B is below the L2 sector of {} B (l2.sector_bytes)", options_.chunk_bytes,
                            spec_.l2.sector_bytes));
  }
  init_systemc();
  if (!options_.trace_path.empty()) {
    trace_ = std::make_unique<TraceWriter>(options_.trace_path, options_.trace_max_events);
    trace_->set_process_name(spec_.name);
  }
  memory_ = std::make_unique<MemorySystem>(spec_, clock_, options_.chunk_bytes, trace_.get());
  sms_.reserve(static_cast<size_t>(spec_.sm.count));
  int gpc = 0, in_gpc = 0;
  for (int s = 0; s < spec_.sm.count; ++s) {
    sms_.emplace_back(spec_, clock_);
    while (in_gpc >= spec_.sm.sms_per_gpc[static_cast<size_t>(gpc)]) {
      ++gpc;
      in_gpc = 0;
    }
    ++in_gpc;
    sms_.back().gpc = gpc;
    sms_.back().partition = gpc * spec_.l2.partitions / spec_.sm.gpcs;
    if (trace_) {
      sms_.back().trace_tensor = trace_->track(fmt::format("SM{:03} tensor core", s));
      sms_.back().trace_cuda = trace_->track(fmt::format("SM{:03} CUDA cores", s));
      sms_.back().trace_tma = trace_->track(fmt::format("SM{:03} TMA", s));
    }
  }
}

Gpu::~Gpu() = default;

void Gpu::write_trace() const {
  if (trace_) trace_->write();
}

void Gpu::Impl::run_role(Gpu& gpu, LaunchCtx& L, CtaState& cta, int sm, int role, std::int64_t cluster, int rank) {
  const KernelProgram& k = *L.k;
  LaunchStats& st = *L.st;
  SmUnits& u = gpu.sms_[static_cast<size_t>(sm)];
  const ClockDomain& clk = gpu.clock_;
  const HardwareSpec& spec = gpu.spec_;
  const int sps = spec.sm.subpartitions;
  const int warps = k.roles[static_cast<size_t>(role)].warps;
  const int first_sp = L.first_warp[static_cast<size_t>(role)] % sps;
  const int used_sps = std::min(warps, sps);
  const Tick born = now();
  std::array<Tick, kStallCount> stalls{};
  std::deque<Tick> groups;  // wgmma commit groups in flight (completion ticks)
  Tick store_done = 0;
  std::int64_t syncs = 0;
  const Tick tma_issue = clk.ticks_for(spec.tma.issue_cycles);
  const Tick tma_extra = clk.ticks_for(spec.tma.extra_latency_cycles);
  const Tick smem_lat = clk.ticks_for(spec.sm.smem_latency_cycles);
  const Tick fp32_lat = clk.ticks_for(spec.cuda_core.fp32_latency_cycles);
  const std::int64_t chunk = gpu.memory_->chunk_bytes();
  auto stall_until = [&](Tick t, Stall why) {
    const Tick n = now();
    if (t > n) {
      stalls[why] += t - n;
      wait_until(t);
    }
  };
  auto wait_barrier = [&](Barrier& b, std::int64_t target, Stall why) {
    const Tick t0 = now();
    while (b.completed < target) sc_core::wait(b.ev);
    stalls[why] += now() - t0;
    if (target > 0) stall_until(b.ready[static_cast<size_t>((target - 1) % Barrier::kRing)], why);
  };
  auto arrive = [&](Barrier& b) {
    if (++b.arrived < b.expected) return;
    b.ready[static_cast<size_t>(b.completed % Barrier::kRing)] = std::max(now(), b.pending_ready);
    ++b.completed;
    b.arrived = 0;
    b.pending_ready = 0;
    b.ev.notify(sc_core::SC_ZERO_TIME);
  };
  auto sub_pipe = [&](auto member, double lane_ops, double lanes_per_clk_sm, const char* what) -> Tick {
    if (lane_ops <= 0) return now();
    const double per_sp = lane_ops / used_sps;
    const Tick service = clk.ticks_for(per_sp / (lanes_per_clk_sm / sps));
    Tick end = 0;
    for (int i = 0; i < used_sps; ++i) {
      const auto g =
          (u.sub[static_cast<size_t>((first_sp + i) % sps)].*member).request(now(), static_cast<double>(service));
      end = std::max(end, g.end);
      if (gpu.trace_ && i == 0) gpu.trace_->span(u.trace_cuda, what, g.start, g.end);
    }
    return end;
  };

  OpList ops;
  const std::int64_t launched_clusters = k.ctas / k.cluster_size;
  std::int64_t seq = 0;
  for (std::int64_t unit = cluster; unit < k.work_units;
       unit += (k.persistent ? launched_clusters : k.work_units), ++seq) {
    ops.clear();
    k.emit(role, unit, seq, rank, ops);
    for (const Op& op : ops) {
      switch (op.kind) {
        case OpKind::kTmaLoad:
        case OpKind::kTmaStore: {
          const bool load = op.kind == OpKind::kTmaLoad;
          const TensorDesc& td = k.tensors[op.tensor];
          const Tick slot = u.tma_inflight.acquire(now());
          stall_until(slot, kTmaInflight);
          const auto g = u.tma_issue.issue(now(), tma_issue, tma_issue);
          const Tick start = g.issue + tma_issue;
          Tick mem_done = start;
          std::int64_t box_bytes = 0, fetched = 0;
          std::int64_t ordinal = 0;
          decompose_box(
              {td.rows, td.cols, td.elem_bytes}, op.row0, op.col0, op.rows, op.cols, chunk, [&](const Chunk& c) {
                box_bytes += c.bytes;
                // Multicast: each CTA of the cluster fetches its share of the box
                // from L2 and the TMA delivers the whole box to every CTA.
                if (op.multicast > 1 && (ordinal++ % op.multicast) != rank) return;
                const std::uint64_t key = chunk_key(L.key_prefix, op.tensor, true, c.index);
                fetched += c.bytes;
                mem_done = std::max(mem_done, load ? gpu.memory_->read(start, u.partition, key, c.bytes, st,
                                                                       op.path == DataPath::kNearMemoryCast)
                                                   : gpu.memory_->write(start, u.partition, key, c.bytes, st));
              });
          // A casting load writes FP8 + FP32 1x128 scales into shared memory:
          // 1 + 4/128 bytes per element of the box, whatever it read.
          const bool cast = op.path == DataPath::kTmaCast;
          const std::int64_t landed = cast ? box_bytes / td.elem_bytes * 33 / 32 : box_bytes;
          const auto fill = u.tma_fill.request(start, static_cast<double>(landed));
          Tick done = std::max(mem_done, fill.end);
          if (cast) {
            // The cast unit streams this CTA's share of the box as it arrives
            // (multicast peers cast theirs); its rate is the only new limit.
            const auto conv = u.tma_cast.request(start, static_cast<double>(fetched));
            st.tma_cast += fetched;
            done = std::max(done, conv.end);
          }
          done += load ? tma_extra : 0;
          u.tma_inflight.hold_until(done);
          st.tma_busy += fill.end - fill.start;
          st.smem += landed;
          ++st.tma_boxes;
          if (gpu.trace_) gpu.trace_->span(u.trace_tma, load ? "tma_load" : "tma_store", start, done);
          if (load) {
            Barrier& b = cta.barriers[static_cast<size_t>(op.barrier)];
            b.pending_ready = std::max(b.pending_ready, done);
          } else {
            store_done = std::max(store_done, done);
          }
          stall_until(start, kTmaIssue);
          break;
        }
        case OpKind::kTmaStoreWait:
          stall_until(store_done, kStoreDrain);
          break;
        case OpKind::kBarrierArrive:
          arrive(cta.barriers[static_cast<size_t>(op.barrier)]);
          break;
        case OpKind::kBarrierWait:
          wait_barrier(cta.barriers[static_cast<size_t>(op.barrier)], op.phase, kBarrierWait);
          break;
        case OpKind::kWgmma: {
          const WgmmaTiming w = wgmma_timing(spec.tensor_core, op.dtype, 64, op.n, wgmma_k(op.dtype));
          const Tick issue = clk.ticks_for(w.issue_cycles + op.extra_cycles);
          const Tick lat = clk.ticks_for(w.latency_cycles);
          Tick end = 0, start = kTickNever;
          for (int i = 0; i < used_sps; ++i) {
            // Each warp of the group drives its sub-partition's tensor core
            // for the instruction's whole duration (a quarter of the FLOPs at
            // a quarter of the SM's rate).
            const auto g = u.sub[static_cast<size_t>((first_sp + i) % sps)].tensor.request(
                now(), static_cast<double>(issue * op.count));
            end = std::max(end, g.end);
            start = std::min(start, g.start);
            st.tensor_busy += g.end - g.start;
          }
          st.wgmma += op.count;
          if (gpu.trace_) gpu.trace_->span(u.trace_tensor, "wgmma", start, end);
          groups.push_back(end - issue + lat);
          break;
        }
        case OpKind::kWgmmaWait:
          while (static_cast<int>(groups.size()) > op.count) {
            stall_until(groups.front(), kWgmmaWait);
            groups.pop_front();
          }
          break;
        case OpKind::kCudaCoreOps: {
          Tick end = now();
          const Tick t0 = now();
          end = std::max(end, sub_pipe(&SubPartition::fp32, static_cast<double>(op.fp32),
                                       spec.cuda_core.fp32_flop_per_clk / 2, "fp32"));
          end = std::max(end, sub_pipe(&SubPartition::int32, static_cast<double>(op.int32),
                                       spec.cuda_core.int32_op_per_clk, "int32"));
          end = std::max(
              end, sub_pipe(&SubPartition::sfu, static_cast<double>(op.sfu), spec.cuda_core.sfu_op_per_clk, "sfu"));
          // Busy attribution per pipe (services are equal across sub-partitions).
          if (op.fp32 > 0)
            st.fp32_busy += clk.ticks_for(static_cast<double>(op.fp32) / (spec.cuda_core.fp32_flop_per_clk / 2));
          if (op.int32 > 0)
            st.int32_busy += clk.ticks_for(static_cast<double>(op.int32) / spec.cuda_core.int32_op_per_clk);
          if (op.sfu > 0) st.sfu_busy += clk.ticks_for(static_cast<double>(op.sfu) / spec.cuda_core.sfu_op_per_clk);
          if (op.tag > 0) {
            const size_t i = op.tag - 1u;
            if (st.tagged_ops.size() <= i) st.tagged_ops.resize(i + 1, 0);
            st.tagged_ops[i] += op.fp32 + op.int32 + op.sfu;
          }
          stall_until(std::max(end, t0) + fp32_lat, kCudaCore);
          break;
        }
        case OpKind::kLdGlobal:
        case OpKind::kStGlobal: {
          const bool load = op.kind == OpKind::kLdGlobal;
          const Tick t0 = now();
          const bool box = op.rows > 0;
          Tick done = t0;
          std::int64_t bytes = 0;
          auto access = [&](const Chunk& c) {
            bytes += c.bytes;
            const std::uint64_t key = chunk_key(L.key_prefix, op.tensor, box, c.index);
            done = std::max(
                done, load ? gpu.memory_->read(t0, u.partition, key, c.bytes, st, op.path == DataPath::kNearMemoryCast)
                      : op.path == DataPath::kL2Reduction ? gpu.memory_->reduce(t0, u.partition, key, c.bytes, st)
                                                          : gpu.memory_->write(t0, u.partition, key, c.bytes, st));
          };
          if (box) {
            const TensorDesc& td = k.tensors[op.tensor];
            decompose_box({td.rows, td.cols, td.elem_bytes}, op.row0, op.col0, op.rows, op.cols, chunk, access);
          } else {
            decompose_linear(op.offset, op.bytes, chunk, access);
          }
          // Data passes the SM's L1 / shared-memory data port on its way in or out.
          const auto port = u.smem_port.request(t0, static_cast<double>(bytes));
          st.smem_busy += port.end - port.start;
          done = std::max(done, port.end);
          if (load) {
            stall_until(done, kGlobalLoad);
          } else {
            store_done = std::max(store_done, done);
            stall_until(port.end, kGlobalLoad);
          }
          break;
        }
        case OpKind::kLdShared:
        case OpKind::kStShared: {
          const auto g = u.smem_port.request(now(), static_cast<double>(op.bytes));
          st.smem_busy += g.end - g.start;
          st.smem += op.bytes;
          stall_until(g.end + (op.kind == OpKind::kLdShared ? smem_lat : 0), kShared);
          break;
        }
        case OpKind::kLink: {
          const auto g = L.links[op.tensor].request(now(), static_cast<double>(op.bytes));
          stall_until(g.done, kLinkWait);
          break;
        }
        case OpKind::kSync: {
          Barrier& b = cta.barriers.back();
          arrive(b);
          wait_barrier(b, ++syncs, kSyncWait);
          break;
        }
      }
    }
  }
  while (!groups.empty()) {
    stall_until(groups.front(), kWgmmaWait);
    groups.pop_front();
  }
  stall_until(store_done, kStoreDrain);
  const std::string& rname = k.roles[static_cast<size_t>(role)].name;
  for (int i = 0; i < kStallCount; ++i) {
    if (stalls[static_cast<size_t>(i)] > 0)
      st.stalls[rname + "." + kStallNames[static_cast<size_t>(i)]] += stalls[static_cast<size_t>(i)];
  }
  st.role_time += now() - born;
  ++cta.roles_done;
  cta.done_ev.notify(sc_core::SC_ZERO_TIME);
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
        sc_core::sc_spawn_options o;
        o.set_stack_size(128 * 1024);
        sc_core::sc_spawn([&gpu, &L, c, sm, role, cluster, r] { Impl::run_role(gpu, L, *c, sm, role, cluster, r); },
                          nullptr, &o);
      }
      ctas.push_back(std::move(cta));
    }
    for (auto& c : ctas) {
      while (c->roles_done < roles) sc_core::wait(c->done_ev);
    }
  }
  --L.slots_running;
  L.done_ev.notify(sc_core::SC_ZERO_TIME);
}

void Gpu::Impl::run_stream(Gpu& gpu, const StreamLaunch& s, int index, std::vector<LaunchStats>& out, bool flush_each) {
  const HardwareSpec& spec = gpu.spec_;
  std::vector<int> set = s.sms;
  if (set.empty()) {
    for (int i = 0; i < spec.sm.count; ++i) set.push_back(i);
  }
  for (const KernelProgram* kp : s.kernels) {
    const KernelProgram& k = *kp;
    LaunchStats& st = out.emplace_back();
    st.issued = now();
    wait_until(now() + static_cast<Tick>(spec.launch.overhead_us * 1e6 + 0.5));
    st.start = now();
    const Occupancy occ = occupancy(spec.sm, k.resources, k.name);
    st.ctas_per_sm = occ.ctas_per_sm;
    st.occupancy_limiter = occ.limiter;
    st.ctas = k.ctas;
    st.sms = static_cast<int>(set.size());
    st.l2_servers = gpu.memory_->slice_groups();
    st.hbm_servers = gpu.memory_->channel_groups();
    // Block scheduler: a cluster occupies `cluster_size` SMs of one GPC
    // (DESIGN.md); slots interleave GPCs so consecutive clusters spread out.
    std::vector<std::vector<std::vector<int>>> per_gpc(static_cast<size_t>(spec.sm.gpcs));
    std::vector<std::vector<int>> avail(static_cast<size_t>(spec.sm.gpcs));
    for (int sm : set) avail[static_cast<size_t>(gpu.sms_[static_cast<size_t>(sm)].gpc)].push_back(sm);
    size_t max_groups = 0;
    for (int g = 0; g < spec.sm.gpcs; ++g) {
      auto& a = avail[static_cast<size_t>(g)];
      for (size_t i = 0; i + static_cast<size_t>(k.cluster_size) <= a.size();
           i += static_cast<size_t>(k.cluster_size)) {
        per_gpc[static_cast<size_t>(g)].emplace_back(a.begin() + static_cast<long>(i),
                                                     a.begin() + static_cast<long>(i) + k.cluster_size);
      }
      max_groups = std::max(max_groups, per_gpc[static_cast<size_t>(g)].size());
    }
    std::vector<std::vector<int>> slots;
    for (int level = 0; level < occ.ctas_per_sm; ++level) {
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
    LaunchCtx L;
    L.k = &k;
    L.st = &st;
    L.key_prefix = (mix64(k.buffer_tag ^ static_cast<std::uint64_t>(index)) & 0xFFFF) << 48;
    L.clusters = k.ctas / k.cluster_size;
    for (const LinkDesc& l : k.links) {
      if (l.bytes_per_s <= 0) throw Error(fmt::format("kernel {}: link {} has no bandwidth", k.name, l.name));
      L.links.emplace_back(l.bytes_per_s / 1e12, static_cast<Tick>(l.latency_s * 1e12 + 0.5));  // bytes per ps
    }
    for (const RoleDesc& r : k.roles) {
      L.first_warp.push_back(L.total_warps);
      L.total_warps += r.warps;
    }
    st.cluster_slots = static_cast<int>(slots.size());
    st.waves = static_cast<int>((L.clusters + static_cast<std::int64_t>(slots.size()) - 1) /
                                static_cast<std::int64_t>(slots.size()));
    const size_t n_slots = std::min(slots.size(), static_cast<size_t>(L.clusters));
    L.slots_running = static_cast<int>(n_slots);
    for (size_t i = 0; i < n_slots; ++i) {
      sc_core::sc_spawn_options o;
      o.set_stack_size(128 * 1024);
      std::vector<int> sms = slots[i];
      sc_core::sc_spawn([&gpu, &L, sms] { Impl::run_slot(gpu, L, sms); }, nullptr, &o);
    }
    while (L.slots_running > 0) sc_core::wait(L.done_ev);
    wait_until(st.hbm_drain);
    st.end = now();
    if (flush_each) gpu.memory_->flush(&st);
  }
}

std::vector<std::vector<LaunchStats>> Gpu::run(const std::vector<StreamLaunch>& streams) {
  std::vector<std::vector<LaunchStats>> out(streams.size());
  const bool single = streams.size() == 1;
  const bool flush_each = single && !options_.carry_l2;
  for (size_t i = 0; i < streams.size(); ++i) {
    for (const KernelProgram* k : streams[i].kernels) {
      for (int sm : streams[i].sms) {
        if (sm < 0 || sm >= spec_.sm.count)
          throw Error(fmt::format("SM id {} is outside 0..{}", sm, spec_.sm.count - 1));
      }
      (void)occupancy(spec_.sm, k->resources, k->name);  // fail before simulating
    }
    out[i].reserve(streams[i].kernels.size());
  }
  // The L2 bandwidth the run can draw depends on how many SMs its streams use
  // (measured on SM subsets: l2.subset_sms); concurrent streams add up.
  {
    std::vector<bool> used(static_cast<size_t>(spec_.sm.count), false);
    for (const StreamLaunch& s : streams) {
      if (s.sms.empty()) used.assign(used.size(), true);
      for (int sm : s.sms) used[static_cast<size_t>(sm)] = true;
    }
    memory_->set_l2_reach(spec_.l2_reach_fraction(static_cast<int>(std::count(used.begin(), used.end(), true))));
  }
  std::exception_ptr failure;
  for (size_t i = 0; i < streams.size(); ++i) {
    sc_core::sc_spawn_options o;
    o.set_stack_size(64 * 1024);
    const StreamLaunch* s = &streams[i];
    std::vector<LaunchStats>* dst = &out[i];
    const int index = static_cast<int>(i);
    sc_core::sc_spawn(
        [this, s, index, dst, flush_each, &failure] {
          try {
            Impl::run_stream(*this, *s, index, *dst, flush_each);
          } catch (...) {
            failure = std::current_exception();
            sc_core::sc_stop();
          }
        },
        nullptr, &o);
  }
  run_until_idle();
  if (failure) std::rethrow_exception(failure);
  if (!flush_each && !options_.carry_l2) memory_->flush(nullptr);
  for (auto& sm : sms_) sm.tma_inflight.clear();
  return out;
}

LaunchStats Gpu::run_one(const KernelProgram& k, const std::vector<int>& sms) {
  StreamLaunch s;
  s.kernels = {&k};
  s.sms = sms;
  return run({s})[0][0];
}

}  // namespace hwsim::sim
