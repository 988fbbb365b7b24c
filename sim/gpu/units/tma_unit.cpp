#include "sim/gpu/units/tma_unit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "models/spec/error.hpp"
#include "models/tma/box.hpp"
#include "sim/gpu/memory_system.hpp"
#include "sim/gpu/sm.hpp"

namespace hwsim::sim {

TmaUnit::TmaUnit(const TmaEnv& env)
    : fill_(env.clock.per_tick(env.spec.tma.bytes_per_clk), 0),
      inflight_(env.spec.tma.max_inflight_per_sm),
      issue_ticks_(env.clock.ticks_for(env.spec.tma.issue_cycles)),
      extra_ticks_(env.clock.ticks_for(env.spec.tma.extra_latency_cycles)),
      trace_(env.trace) {
  if (trace_) track_ = trace_->track(fmt::format("SM{:03} TMA", env.sm));
}

std::span<const OpKind> TmaUnit::ops() const {
  static constexpr std::array kOps = {OpKind::kTmaLoad, OpKind::kTmaStore, OpKind::kTmaStoreWait};
  return kOps;
}

void TmaUnit::check(const Op& op, const KernelProgram& k) const {
  if (op.kind == OpKind::kTmaStoreWait || serves(op.path)) return;
  throw Error(fmt::format(
      "kernel {}: its TMA loads of tensor {} pass the TMA's FP8 cast/re-scaling path, which this GPU's TMA lacks "
      "(needs tma.implementation = casting: apply the fused_cast_tma or transposed_gemm spec delta)",
      k.name, k.tensors[op.tensor].name));
}

void TmaUnit::issue(const Op& op, RoleContext& role) {
  if (op.kind == OpKind::kTmaStoreWait) {
    role.stall_until(role.store_done, kStoreDrain);
    return;
  }
  copy_box(op, role);
}

TmaUnit::Moved TmaUnit::move_chunks(const Op& op, Tick start, RoleContext& role) {
  const bool load = op.kind == OpKind::kTmaLoad;
  const TensorDesc& td = role.k.tensors[op.tensor];
  const DataPath path = memory_path(op);
  MemorySystem& mem = role.gpu.memory;
  Moved m;
  m.mem_done = start;
  const int part = role.sm.partition;
  int turn = 0;  // the chunk's ordinal modulo op.multicast: whose share it is
  decompose_box({td.rows, td.cols, td.elem_bytes}, op.row0, op.col0, op.rows, op.cols, mem.chunk_bytes(),
                [&](const Chunk& c) {
                  m.box_bytes += c.bytes;
                  // Multicast: each CTA of the cluster fetches its share of the box
                  // from L2 and the TMA delivers the whole box to every CTA.
                  if (op.multicast > 1) {
                    const bool mine = turn == op.multicast_rank;
                    if (++turn == op.multicast) turn = 0;
                    if (!mine) return;
                  }
                  const std::uint64_t key = role.chunk_key(op.tensor, true, c.index);
                  m.fetched += c.bytes;
                  m.mem_done = std::max(m.mem_done, load ? mem.read(start, part, key, c.offset, c.bytes, role.st, path)
                                                         : mem.write(start, part, key, c.offset, c.bytes, role.st));
                });
  return m;
}

void TmaUnit::copy_box(const Op& op, RoleContext& role) {
  const bool load = op.kind == OpKind::kTmaLoad;
  LaunchStats& st = role.st;
  role.stall_until(inflight_.acquire(role.now()), kTmaInflight);
  const auto g = issue_.issue(role.now(), issue_ticks_, issue_ticks_);
  const Tick start = g.issue + issue_ticks_;
  const Moved m = move_chunks(op, start, role);
  const std::int64_t landed = landed_bytes(op, role.k.tensors[op.tensor], m.box_bytes);
  const auto fill = fill_.request(start, static_cast<double>(landed));
  Tick done = std::max({m.mem_done, fill.end, process(op, start, m.fetched, st)});
  done += load ? extra_ticks_ : 0;
  inflight_.hold_until(done);
  st.tma_busy += fill.end - fill.start;
  st.smem += landed;
  ++st.tma_boxes;
  if (trace_) trace_->span(track_, load ? "tma_load" : "tma_store", start, done);
  if (load) {
    Barrier& b = role.cta.barriers[static_cast<size_t>(op.barrier)];
    b.pending_ready = std::max(b.pending_ready, done);
  } else {
    role.store_done = std::max(role.store_done, done);
  }
  role.stall_until(start, kTmaIssue);
}

}  // namespace hwsim::sim
