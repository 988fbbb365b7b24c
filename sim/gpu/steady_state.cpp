#include "sim/gpu/steady_state.hpp"

#include <algorithm>
#include <cmath>

namespace hwsim::sim {
namespace {

// One statistic along the line through the two runs, rounded to a whole
// count (ticks, bytes, instructions).
std::int64_t extend(std::int64_t s, std::int64_t l, double extension) {
  return l + std::llround(static_cast<double>(l - s) * extension);
}

}  // namespace

std::optional<SteadyStatePlan> plan_steady_state(const KernelProgram& k, const SteadyStateOptions& o) {
  if (!o.enabled || !k.persistent || k.cluster_size < 1 || o.min_short_rounds < 1 || o.short_fraction < 1)
    return std::nullopt;
  const std::int64_t clusters = k.ctas / k.cluster_size;
  if (clusters < 1 || k.work_units < clusters) return std::nullopt;
  const std::int64_t rounds = (k.work_units + clusters - 1) / clusters;
  const std::int64_t s = std::max<std::int64_t>(o.min_short_rounds, (rounds + o.short_fraction - 1) / o.short_fraction);
  const std::int64_t l = 2 * s;
  if (rounds < 2 * (s + l)) return std::nullopt;
  // Dropping whole rounds before the last keeps the last round's clusters
  // (those with one unit more) as they are.
  SteadyStatePlan p;
  p.rounds = rounds;
  p.short_rounds = s;
  p.long_rounds = l;
  p.short_units = k.work_units - (rounds - s) * clusters;
  p.long_units = k.work_units - (rounds - l) * clusters;
  p.extension = static_cast<double>(rounds - l) / static_cast<double>(l - s);
  return p;
}

LaunchStats extend_steady_state(const LaunchStats& s, const LaunchStats& l, double e) {
  LaunchStats r = l;
  r.hbm_read = extend(s.hbm_read, l.hbm_read, e);
  r.hbm_write = extend(s.hbm_write, l.hbm_write, e);
  r.l2_read = extend(s.l2_read, l.l2_read, e);
  r.l2_write = extend(s.l2_write, l.l2_write, e);
  r.l2_read_hit = extend(s.l2_read_hit, l.l2_read_hit, e);
  r.smem = extend(s.smem, l.smem, e);
  r.tma_boxes = extend(s.tma_boxes, l.tma_boxes, e);
  r.wgmma = extend(s.wgmma, l.wgmma, e);
  r.tma_cast = extend(s.tma_cast, l.tma_cast, e);
  r.hbm_internal = extend(s.hbm_internal, l.hbm_internal, e);
  for (size_t i = 0; i < r.tagged_ops.size(); ++i)
    r.tagged_ops[i] = extend(i < s.tagged_ops.size() ? s.tagged_ops[i] : 0, l.tagged_ops[i], e);
  for (Tick LaunchStats::*f : {&LaunchStats::tensor_busy, &LaunchStats::fp32_busy, &LaunchStats::int32_busy,
                               &LaunchStats::sfu_busy, &LaunchStats::tma_busy, &LaunchStats::smem_busy,
                               &LaunchStats::l2_busy, &LaunchStats::hbm_busy, &LaunchStats::role_time}) {
    r.*f = extend(s.*f, l.*f, e);
  }
  for (auto& [name, t] : r.stalls) {
    const auto it = s.stalls.find(name);
    t = std::max<Tick>(0, extend(it == s.stalls.end() ? 0 : it->second, t, e));
  }
  // Launch overhead is the same in both runs; the kernel's own time and the
  // HBM drain are extended from the launch's start.
  r.end = l.start + extend(s.end - s.start, l.end - l.start, e);
  r.hbm_drain = std::min(r.end, l.start + extend(s.hbm_drain - s.start, l.hbm_drain - l.start, e));
  return r;
}

}  // namespace hwsim::sim
