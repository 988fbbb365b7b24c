#include "sim/gpu/memory_system.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/memory/address_hash.hpp"
#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"
#include "sim/gpu/units/implementations.hpp"

namespace hwsim::sim {
namespace {
// The HBM read/write mix is averaged over this much traffic: a few MB is many
// bus turnarounds yet short against any kernel that is HBM-bound (modelling
// choice, docs/engine.md).
constexpr double kHbmMixWindowBytes = 4.0 * 1024 * 1024;
// Chunks remembered for read coalescing: far more than a window of a few
// hundred cycles can see requested (modelling choice, docs/engine.md).
constexpr size_t kLastFetchEntries = 1 << 14;
}  // namespace

MemorySystem::MemorySystem(const HardwareSpec& spec, const ClockDomain& clk, std::int64_t chunk_bytes,
                           TraceWriter* trace)
    : chunk_bytes_(chunk_bytes),
      spec_l2_partitions_(spec.l2.partitions),
      l2_(L2Geometry{spec.l2.size_bytes, spec.l2.slices, spec.l2.partitions, chunk_bytes, spec.l2.sector_bytes}),
      hbm_(spec.hbm, kHbmMixWindowBytes),
      hit_latency_(clk.ticks_for(spec.l2.hit_latency_cycles)),
      far_extra_(clk.ticks_for(spec.l2.far_extra_latency_cycles)),
      hbm_latency_(ticks_from_ns(spec.hbm.latency_ns)),
      coalesce_window_(clk.ticks_for(spec.l2.coalesce_window_cycles)),
      coalesced_fraction_(spec.l2.coalesced_read_fraction),
      reduction_factor_(spec.l2.reduction_cost_factor),
      trace_(trace) {
  if (coalesce_window_ > 0) last_fetch_.resize(kLastFetchEntries);
  const std::int64_t lines = std::max<std::int64_t>(1, chunk_bytes / spec.l2.line_bytes);
  slice_groups_ =
      static_cast<int>(std::max<std::int64_t>(1, spec.l2.slices / std::min<std::int64_t>(lines, spec.l2.slices)));
  channel_groups_ =
      static_cast<int>(std::max<std::int64_t>(1, spec.hbm.channels / std::min<std::int64_t>(lines, spec.hbm.channels)));
  const double group_rate = clk.per_tick(spec.l2.bytes_per_clk / slice_groups_);
  channel_peak_per_tick_ = bytes_per_tick_from_GBps(spec.hbm.bandwidth_GBps) / channel_groups_;
  slice_rate_ = group_rate;
  slices_.assign(static_cast<size_t>(slice_groups_), BandwidthServer(group_rate, 0));
  channels_.assign(static_cast<size_t>(channel_groups_), BandwidthServer(1.0, 0));
  read_path_ = hbm_implementations().make(spec, HbmEnv{spec, channel_groups_});
  if (trace_) {
    for (int s = 0; s < slice_groups_; ++s)
      slice_tracks_.push_back(trace_->track(fmt::format("L2 slice group {:02}", s)));
    for (int c = 0; c < channel_groups_; ++c)
      channel_tracks_.push_back(trace_->track(fmt::format("HBM channel group {:02}", c)));
  }
}

namespace {
// Address interleaving: runs of 64 consecutive chunks start at a hashed group
// and then take consecutive groups, as the hardware's XOR hashes spread
// consecutive lines over distinct slices and channels (a purely random hash
// per chunk would pile neighbouring chunks onto the same server by chance).
int interleave(std::uint64_t key, std::uint64_t salt, int groups) {
  constexpr int kRunBits = 6;
  const std::uint64_t base = mix64((key >> kRunBits) ^ salt);
  return static_cast<int>((base + (key & ((1ULL << kRunBits) - 1))) % static_cast<std::uint64_t>(groups));
}
}  // namespace

void MemorySystem::set_l2_reach(double fraction) {
  for (auto& s : slices_) s.set_rate(slice_rate_ * fraction);
}

int MemorySystem::slice_group_of(std::uint64_t key) const {
  return interleave(key, 0x2545f4914f6cdd1dULL, slice_groups_);
}

BandwidthServer::Grant MemorySystem::slice_grant(Tick now, int group, double bytes, LaunchStats& st) {
  const auto g = slices_[static_cast<size_t>(group)].request(now, bytes);
  st.l2_busy += g.end - g.start;
  if (trace_) trace_->span(slice_tracks_[static_cast<size_t>(group)], "L2", g.start, g.end);
  return g;
}

int MemorySystem::channel_group_of(std::uint64_t key) const { return interleave(key, 0x5bd1e995ULL, channel_groups_); }

void MemorySystem::check(const Op& op, const KernelProgram& k) const {
  if (read_path_->serves(op.path)) return;
  throw Error(
      fmt::format("kernel {}: its reads of tensor {} are cast beside the HBM, which this GPU's memory cannot (needs "
                  "hbm.implementation = near_memory_cast: apply the near_memory_compute spec delta)",
                  k.name, k.tensors[op.tensor].name));
}

Tick MemorySystem::hbm_transfer(Tick now, std::uint64_t key, std::int64_t bytes, bool write, LaunchStats& st) {
  const int ch = channel_group_of(key);
  const double eff = hbm_.record(bytes, write);
  // Service time in ticks at the channel's sustained rate for the current mix.
  const double ticks = static_cast<double>(bytes) / (channel_peak_per_tick_ * eff);
  const auto g = channels_[static_cast<size_t>(ch)].request(now, ticks);
  st.hbm_busy += g.end - g.start;
  (write ? st.hbm_write : st.hbm_read) += bytes;
  if (trace_) trace_->span(channel_tracks_[static_cast<size_t>(ch)], write ? "write" : "read", g.start, g.end);
  return g.end;
}

// Slice time a read costs: a whole read, or, within the coalescing window of
// the read that last fetched its chunk, the coalesced share (the data-array
// access is shared; the response still crosses the crossbar).
double MemorySystem::read_cost(Tick now, std::uint64_t key, std::int64_t bytes) {
  if (coalesce_window_ == 0) return static_cast<double>(bytes);
  LastFetch& f = last_fetch_[(key ^ (key >> 17)) & (last_fetch_.size() - 1)];
  const Tick apart = now >= f.at ? now - f.at : f.at - now;
  if (f.key == key && apart <= coalesce_window_) return static_cast<double>(bytes) * coalesced_fraction_;
  f = {key, now};
  return static_cast<double>(bytes);
}

Tick MemorySystem::read(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes,
                        LaunchStats& st, DataPath path) {
  const int group = slice_group_of(key);
  const Tick lat = hit_latency_ + (group * spec_l2_partitions_ / slice_groups_ != partition ? far_extra_ : 0);
  const auto g = slice_grant(now, group, read_cost(now, key, bytes), st);
  st.l2_read += bytes;
  const L2Cache::Access a = l2_.access(key, offset, bytes, false, kTickNever);
  if (a.hit) {
    st.l2_read_hit += bytes;
    return std::max(g.end, a.ready) + lat;
  }
  // A partial hit serves the present sectors from L2 and fetches the rest.
  st.l2_read_hit += std::max<std::int64_t>(0, bytes - a.fill_bytes);
  // A dirty victim must drain to HBM before its space takes the new data:
  // this is the back-pressure that makes write streams HBM-bound.
  const Tick drained = a.victim && a.victim->dirty ? hbm_transfer(now, a.victim->key, a.victim->bytes, true, st) : now;
  Tick from = now;
  if (path != DataPath::kDirect) from = read_path_->prepare(now, channel_group_of(key), a.fill_bytes, path, st);
  Tick filled = std::max(drained, hbm_transfer(from, key, a.fill_bytes, false, st)) + hbm_latency_;
  if (a.resident) filled = std::max(filled, a.ready);  // one ready tick per chunk: its latest fill
  l2_.set_ready(key, filled);
  return std::max(g.end, filled) + lat;
}

Tick MemorySystem::write(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes,
                         LaunchStats& st) {
  const int group = slice_group_of(key);
  const Tick lat = hit_latency_ + (group * spec_l2_partitions_ / slice_groups_ != partition ? far_extra_ : 0);
  const auto g = slice_grant(now, group, static_cast<double>(bytes), st);
  st.l2_write += bytes;
  // Write-through: the data stays in L2 (clean, so later reads hit) and its
  // write to HBM is queued at once. The launch ends when its HBM writes have
  // drained, so no kernel finishes faster than its output can reach memory
  // (a measurement loop pays that write-back anyway; docs/engine.md). The
  // written sectors become present without a fill (assumed: a partial write
  // merges by byte mask, docs/engine.md "Sectors").
  (void)l2_.access(key, offset, bytes, false, g.end);
  st.hbm_drain = std::max(st.hbm_drain, hbm_transfer(now, key, bytes, true, st));
  return g.end + lat;
}

Tick MemorySystem::reduce(Tick now, int partition, std::uint64_t key, std::int64_t offset, std::int64_t bytes,
                          LaunchStats& st) {
  const int group = slice_group_of(key);
  const Tick lat = hit_latency_ + (group * spec_l2_partitions_ / slice_groups_ != partition ? far_extra_ : 0);
  const auto g = slice_grant(now, group, static_cast<double>(bytes) * reduction_factor_, st);
  st.l2_write += bytes;
  const L2Cache::Access a = l2_.access(key, offset, bytes, true, g.end);
  if (!a.hit) {
    // The slice needs the sectors' current value (the accumulator's zeros)
    // before it can add, and may first have to write back a dirty victim.
    if (a.victim && a.victim->dirty)
      st.hbm_drain = std::max(st.hbm_drain, hbm_transfer(now, a.victim->key, a.victim->bytes, true, st));
    st.hbm_drain = std::max(st.hbm_drain, hbm_transfer(now, key, a.fill_bytes, false, st));
  }
  return g.end + lat;
}

void MemorySystem::flush(LaunchStats* st) {
  const std::int64_t dirty = l2_.flush();
  if (st) st->hbm_write += dirty;
  hbm_.reset();
  std::fill(last_fetch_.begin(), last_fetch_.end(), LastFetch{});
}

}  // namespace hwsim::sim
