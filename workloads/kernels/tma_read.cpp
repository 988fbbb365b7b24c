// tma_read: TMA box loads of an L2-resident tensor and nothing else; the
// model's side of hwbench's ubench_l2_sharing (validate/kernels/
// ubench_l2_sharing_sm90.cu), run to check the L2 against that calibration.
//
// Stands for: the microbenchmark's kernel. One warp per CTA keeps two groups
// of 4 boxes (128 rows x 128 bytes, 16 KiB) in flight over a tensor of
// `panels` panels of 128 rows x 1024 bytes. A cluster of `cluster` CTAs loads
// each box once: every CTA fetches a 1/cluster share from L2 and the TMA
// delivers the whole box to all of them (multicast). `pattern` says which
// panel a cluster reads at each step: its own (distinct), the same one as
// every other cluster at the same step (shared), or one of 16 panels that
// ~cluster-count/16 clusters read together (panels16, a GEMM's operand
// panels). The microbenchmark's cluster barrier between groups is not
// modelled (a CTA waits only for its own boxes).
// With `boxes_in_flight` = B > 0 it is the microbenchmark's ring instead
// (cluster 1): B stages, each re-issued the moment its box has landed, for
// `boxes` boxes per CTA; `walk` then reads every panel in turn starting at
// the CTA's own, so every line is read by every SM but never by two at once.
// The ring's reader patterns (hwbench part l2_readers): `issuers` warps per
// CTA each keep a ring of B boxes (warp w loads the CTA's boxes w, w +
// issuers, ...); `group` has `readers` CTAs (c / readers) read the same panels
// at the same steps; `lag` has every CTA read one sequence, the odd CTAs
// `lag_boxes` boxes behind; `grid` places the CTAs on a `grid_rows` x C grid
// and alternates a box of the row's A panel with one of the column's B panel.
#include <fmt/format.h>

#include <cmath>

#include "workloads/kernels/kernels.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kRowBytes = 1024;
constexpr int kBoxCols = 128;
constexpr int kBoxRows = 128;
constexpr int kBoxesPerPanel = kRowBytes / kBoxCols;
constexpr int kStagesPerGroup = 4;
constexpr int kGroups = 2;
constexpr int kWarpThreads = 32;
constexpr int kMaxRing = 12;  // the microbenchmark's kMaxRingStages

const std::vector<KernelParam> kParams = {
    {"pattern",
     "choice",
     "distinct",
     "",
     "which panel each cluster reads",
     {"distinct", "shared", "panels16", "walk", "group", "lag", "grid"}},
    {"cluster", "integer > 0", "1", "CTAs", "CTAs multicasting each box (1, 2, 4, 8 or 16)", {}},
    {"ctas", "integer > 0", "", "", "CTAs launched (a multiple of cluster; the record's)", {}},
    {"panels", "integer > 0", "144", "", "panels of 128 rows x 1024 bytes (a multiple of 16)", {}},
    {"iterations", "integer > 0", "1000", "", "groups of 4 boxes each CTA loads (grouped form)", {}},
    {"boxes_in_flight",
     "integer > 0",
     "",
     "",
     "the ring of that many stages (1-12); absent: two groups of 4 boxes",
     {}},
    {"boxes", "integer > 0", "8000", "", "boxes each CTA loads (ring form)", {}},
    {"issuers", "integer > 0", "1", "warps", "warps per CTA, each with its own ring (ring form; 1-4)", {}},
    {"readers", "integer > 0", "1", "CTAs", "CTAs reading the same panels (pattern group)", {}},
    {"lag_boxes", "integer >= 0", "0", "boxes", "how far the odd CTAs trail (pattern lag)", {}},
    {"grid_rows", "integer > 0", "1", "", "rows of the CTA grid, dividing ctas (pattern grid)", {}}};

struct Probe {
  std::string pattern;
  int cluster = 1;
  std::int64_t ctas = 0, panels = 0, iterations = 0;
  int ring = 0;  // boxes in flight of the ring form, per issuer; 0 = grouped form
  std::int64_t boxes = 0;
  int issuers = 1;
  bool reader_pattern = false;  // group, lag or grid (reader_box)
  std::int64_t readers = 1, lag = 0, grid_rows = 1;
};

constexpr int kMaxIssuers = 4;  // the microbenchmark's kMaxIssuers

Probe read_probe(const ParamReader& p) {
  Probe r;
  r.pattern = p.choice("pattern");
  const std::int64_t c = p.positive_or("cluster", 1);
  if (c > 16 || (c & (c - 1)) != 0) p.fail("cluster", "must be 1, 2, 4, 8 or 16");
  r.cluster = static_cast<int>(c);
  r.ctas = p.positive("ctas");
  if (r.ctas % r.cluster != 0) p.fail("ctas", fmt::format("= {} must be a multiple of cluster = {}", r.ctas, c));
  r.panels = p.positive_or("panels", 144);
  if (r.panels % 16 != 0) p.fail("panels", "must be a multiple of 16");
  r.iterations = p.positive_or("iterations", 1000);
  const std::int64_t ring = p.given("boxes_in_flight") ? p.positive("boxes_in_flight") : 0;
  if (ring > kMaxRing) p.fail("boxes_in_flight", fmt::format("must be 1 to {}", kMaxRing));
  r.ring = static_cast<int>(ring);
  if (r.ring > 0 && r.cluster != 1) p.fail("boxes_in_flight", "the ring form runs with cluster = 1");
  if (r.ring == 0 && r.pattern == "walk") p.fail("pattern", "walk needs the ring form (boxes_in_flight > 0)");
  r.boxes = p.positive_or("boxes", 8000);
  const std::int64_t issuers = p.positive_or("issuers", 1);
  if (issuers > kMaxIssuers) p.fail("issuers", fmt::format("must be 1 to {}", kMaxIssuers));
  r.issuers = static_cast<int>(issuers);
  r.reader_pattern = r.pattern == "group" || r.pattern == "lag" || r.pattern == "grid";
  if (r.ring == 0 && (r.reader_pattern || r.issuers > 1))
    p.fail(r.reader_pattern ? "pattern" : "issuers", "needs the ring form (boxes_in_flight > 0)");
  r.readers = p.positive_or("readers", 1);
  const double lag = p.non_negative("lag_boxes");
  if (lag != std::floor(lag) || lag > 1e6) p.fail("lag_boxes", "must be a whole number of boxes up to 10^6");
  r.lag = static_cast<std::int64_t>(lag);
  r.grid_rows = p.positive_or("grid_rows", 1);
  if (r.ctas % r.grid_rows != 0) p.fail("grid_rows", fmt::format("= {} must divide ctas = {}", r.grid_rows, r.ctas));
  return r;
}

struct Box {
  std::int64_t panel, x;  // x in bytes
};

// Box j of CTA `cta`'s sequence in the reader patterns (the microbenchmark's
// reader_box; its tensor has 144 panels).
Box reader_box(const Probe& r, std::int64_t cta, std::int64_t j) {
  const std::int64_t period = r.panels * kBoxesPerPanel;
  if (r.pattern == "grid") {
    const std::int64_t cols = r.ctas / r.grid_rows, k = j / 2;
    const std::int64_t own = j % 2 == 0 ? cta / cols : r.grid_rows + cta % cols;
    return {(own + (k / kBoxesPerPanel) * (r.grid_rows + cols)) % r.panels, (k % kBoxesPerPanel) * kBoxCols};
  }
  if (r.pattern == "lag") {
    const std::int64_t s = (j - (cta % 2 == 1 ? r.lag % period : 0) + period) % period;
    return {(s / kBoxesPerPanel) % r.panels, (s % kBoxesPerPanel) * kBoxCols};
  }
  const std::int64_t groups = (r.ctas + r.readers - 1) / r.readers;
  return {(cta / r.readers + groups * (j / kBoxesPerPanel)) % r.panels, (j % kBoxesPerPanel) * kBoxCols};
}

// The panel cluster `cl` reads at step j (the microbenchmark's panel_of).
std::int64_t panel_of(const Probe& r, std::int64_t cl, std::int64_t j) {
  const std::int64_t round = j / kBoxesPerPanel;
  if (r.pattern == "distinct") return cl % r.panels;
  if (r.pattern == "shared") return round % r.panels;
  if (r.pattern == "walk") return (cl + round) % r.panels;
  return (cl % 16 + 16 * (round % (r.panels / 16))) % r.panels;
}

Box ring_box(const Probe& r, std::int64_t cta, std::int64_t j) {
  if (r.reader_pattern) return reader_box(r, cta, j);
  return {panel_of(r, cta, j), (j % kBoxesPerPanel) * kBoxCols};
}

// The ring of issuer `w`: its boxes w, w + issuers, ...; its stage i % B
// (barrier w * B + i % B) is re-issued once its box i - B landed.
void emit_ring(const Probe& r, int w, std::int64_t cta, OpList& out) {
  const std::int64_t mine = (r.boxes - w + r.issuers - 1) / r.issuers;
  const int first = w * r.ring;
  for (std::int64_t i = 0; i < mine; ++i) {
    const int st = first + static_cast<int>(i % r.ring);
    if (i >= r.ring) out.push_back(barrier_wait(st, i / r.ring));
    const Box b = ring_box(r, cta, w + r.issuers * i);
    out.push_back(tma_load(0, b.panel * kBoxRows, b.x, kBoxRows, kBoxCols, st, 1));
    out.push_back(barrier_arrive(st));
  }
  for (int s = 0; s < r.ring && s < mine; ++s) out.push_back(barrier_wait(first + s, (mine - 1 - s) / r.ring + 1));
}

void emit_cta(const Probe& r, int role, std::int64_t cta, int rank, OpList& out) {
  if (r.ring > 0) return emit_ring(r, role, cta, out);
  const std::int64_t cl = cta / r.cluster;
  auto wait_group = [&](std::int64_t it) {
    for (int s = 0; s < kStagesPerGroup; ++s)
      out.push_back(barrier_wait(static_cast<int>(it % kGroups) * kStagesPerGroup + s, it / kGroups + 1));
  };
  for (std::int64_t it = 0; it < r.iterations; ++it) {
    for (int s = 0; s < kStagesPerGroup; ++s) {
      const int st = static_cast<int>(it % kGroups) * kStagesPerGroup + s;
      const std::int64_t j = it * kStagesPerGroup + s;
      Op box = tma_load(0, panel_of(r, cl, j) * kBoxRows, (j % kBoxesPerPanel) * kBoxCols, kBoxRows, kBoxCols, st,
                        r.cluster);
      box.multicast_rank = static_cast<std::uint8_t>(rank);
      out.push_back(box);
      out.push_back(barrier_arrive(st));
    }
    if (it > 0) wait_group(it - 1);
  }
  wait_group(r.iterations - 1);
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Probe r = read_probe(ParamReader(d, kParams));
  KernelProgram k;
  k.name = "tma_read";
  k.cluster_size = r.cluster;
  k.ctas = r.ctas;
  k.work_units = r.ctas;
  for (int w = 0; w < r.issuers; ++w) k.roles.push_back({r.issuers == 1 ? "loader" : fmt::format("loader{}", w), 1});
  const int stages = r.ring > 0 ? r.ring * r.issuers : kGroups * kStagesPerGroup;
  k.resources = {kWarpThreads * r.issuers, 32, static_cast<std::int64_t>(stages) * kBoxRows * kBoxCols + 1024};
  k.barriers = stages;
  k.barrier_arrivals.assign(static_cast<size_t>(k.barriers), 1);
  k.tensors = {{"tensor (panels x 128 rows x 1024 bytes)", r.panels * kBoxRows, kRowBytes, 1}};
  k.emit = [r](int role, std::int64_t unit, std::int64_t, int rank, OpList& out) {
    emit_cta(r, role, unit, rank, out);
  };
  k.notes = {{"pattern", r.pattern}, {"cluster", std::to_string(r.cluster)}};
  if (r.ring > 0) k.notes.push_back({"boxes in flight", std::to_string(r.ring * r.issuers)});
  (void)ctx;
  return k;
}

// Compulsory work: the tensor read once (the L2 serves the rest).
KernelWork work(const KernelDescriptor& d) {
  const Probe r = read_probe(ParamReader(d, kParams));
  KernelWork w;
  w.read_bytes = static_cast<double>(r.panels) * kBoxRows * kRowBytes;
  return w;
}

}  // namespace

KernelDef tma_read_kernel() {
  return {"tma_read", "hwbench's ubench_l2_sharing: TMA box loads of an L2-resident tensor, shared and multicast",
          kParams,    build,
          work,       {{"pattern", "shared"}, {"cluster", 2}, {"ctas", 132}, {"iterations", 50}}};
}

}  // namespace hwsim::kernels
