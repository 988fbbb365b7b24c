#include "workloads/deepseek_v3/dualpipe.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "models/spec/error.hpp"

namespace hwsim::deepseek_v3 {
namespace {

enum class Op { kF, kB, kBW, kW, kFB };

// One operation of a rank's sequence; phases are the rank's local chunk ids
// (0 or 1), mapped to directions by the rank's half.
struct Step {
  Op op;
  int phase_f = -1;  // F, FB
  int phase_b = -1;  // B, BW, FB
};

// DualPipe's per-rank sequence, written out from the schedule's structure.
std::vector<Step> rank_sequence(int rank, int ranks, int micro_batches) {
  const int half_ranks = ranks / 2, half_rank = std::min(rank, ranks - 1 - rank);
  const int half_chunks = micro_batches / 2;
  const bool middle = half_rank == half_ranks - 1;
  std::vector<Step> s;
  auto f = [&](int p) { s.push_back({Op::kF, p, -1}); };
  auto b = [&](int p, bool defer_w) { s.push_back({defer_w ? Op::kB : Op::kBW, -1, p}); };
  auto w = [&] { s.push_back({Op::kW, -1, -1}); };
  auto fb = [&](int pf, int pb) { s.push_back({Op::kFB, pf, pb}); };

  for (int i = 0; i < (half_ranks - half_rank - 1) * 2; ++i) f(0);  // 1: nF0
  for (int i = 0; i < half_rank + 1; ++i) {                         // 2: nF0F1
    f(0);
    f(1);
  }
  for (int i = 0; i < half_ranks - half_rank - 1; ++i) {  // 3: nB1W1F1
    b(1, true);
    w();
    f(1);
  }
  for (int i = 0; i < half_chunks - ranks + half_rank + 1; ++i) {  // 4: nF0B1F1B0
    if (i == 0 && middle) {
      f(0);
      b(1, false);
    } else {
      fb(0, 1);
    }
    fb(1, 0);
  }
  for (int i = 0; i < half_ranks - half_rank - 1; ++i) {  // 5: nB1F1B0
    b(1, false);
    fb(1, 0);
  }
  const int n6 = half_rank + 1;  // 6: nB1B0
  bool defer = false;
  for (int i = 0; i < n6; ++i) {
    if (i == n6 / 2 && half_rank % 2 == 1) defer = true;
    b(1, defer);
    if (i == n6 / 2 && half_rank % 2 == 0) defer = true;
    b(0, defer);
  }
  for (int i = 0; i < half_ranks - half_rank - 1; ++i) {  // 7: nWB0
    w();
    b(0, true);
  }
  for (int i = 0; i < half_rank + 1; ++i) w();  // 8: nW
  return s;
}

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double dualpipe_bubble_formula(int ranks, const ChunkTimes& t) { return (ranks / 2 - 1) * (t.fb + t.b - 3 * t.w); }

DualPipeResult simulate_dualpipe(std::span<const ChunkTimes> stage_times, const DualPipeConfig& c) {
  const int R = c.ranks, M = c.micro_batches;
  if (R < 2 || R % 2 != 0 || M % 2 != 0 || M < 2 * R) {
    throw Error(
        fmt::format("DualPipe: ranks = {} must be even and >= 2, micro-batches = {} even and >= 2 x ranks", R, M));
  }
  if (!c.pair_fb.empty() && c.pair_fb.size() != static_cast<size_t>(R) * static_cast<size_t>(R)) {
    throw Error(fmt::format("DualPipe: pair_fb has {} entries for {} x {} stage pairs", c.pair_fb.size(), R, R));
  }
  if (static_cast<int>(stage_times.size()) != R) {
    throw Error(fmt::format("DualPipe: {} stage times given for {} ranks", stage_times.size(), R));
  }
  const int half = M / 2;
  // done[dir][position][micro-batch]: when the forward (or backward) output
  // is available at that position of the direction's pipeline.
  auto grid = [&] {
    return std::vector<std::vector<std::vector<double>>>(
        2, std::vector<std::vector<double>>(static_cast<size_t>(R),
                                            std::vector<double>(static_cast<size_t>(half), kUnknown)));
  };
  auto fdone = grid(), bdone = grid();
  std::vector<std::vector<Step>> seq;
  for (int r = 0; r < R; ++r) seq.push_back(rank_sequence(r, R, M));

  struct RankState {
    size_t next = 0;
    double free = 0;
    int fcount[2] = {0, 0}, bcount[2] = {0, 0};
    std::deque<int> deferred;  // stage of each deferred W, FIFO
  };
  std::vector<RankState> st(static_cast<size_t>(R));
  DualPipeResult res;
  res.ranks.assign(static_cast<size_t>(R), {});

  auto dir_of = [&](int rank, int phase) { return phase ^ (rank >= R / 2 ? 1 : 0); };
  auto pos_of = [&](int rank, int dir) { return dir == 0 ? rank : R - 1 - rank; };

  // When the input of a forward / backward of (dir, m) at `pos` is ready, or
  // NaN if not known yet.
  auto f_ready = [&](int dir, int pos, int m) {
    if (pos == 0) return 0.0;
    const double t = fdone[static_cast<size_t>(dir)][static_cast<size_t>(pos - 1)][static_cast<size_t>(m)];
    return t + c.p2p_s;
  };
  auto b_ready = [&](int dir, int pos, int m) {
    if (pos == R - 1) return fdone[static_cast<size_t>(dir)][static_cast<size_t>(pos)][static_cast<size_t>(m)];
    return bdone[static_cast<size_t>(dir)][static_cast<size_t>(pos + 1)][static_cast<size_t>(m)] + c.p2p_s;
  };

  size_t remaining = 0;
  for (const auto& s : seq) remaining += s.size();
  while (remaining > 0) {
    bool progress = false;
    for (int r = 0; r < R; ++r) {
      RankState& rs = st[static_cast<size_t>(r)];
      while (rs.next < seq[static_cast<size_t>(r)].size()) {
        const Step& step = seq[static_cast<size_t>(r)][rs.next];
        double ready = 0;
        int df = -1, db = -1, mf = -1, mb = -1;
        if (step.phase_f >= 0) {
          df = dir_of(r, step.phase_f);
          mf = rs.fcount[df];
          ready = std::max(ready, f_ready(df, pos_of(r, df), mf));
        }
        if (step.phase_b >= 0) {
          db = dir_of(r, step.phase_b);
          mb = rs.bcount[db];
          ready = std::max(ready, b_ready(db, pos_of(r, db), mb));
        }
        if (std::isnan(ready)) break;  // input not produced yet
        const double start = std::max(rs.free, ready);
        RankBreakdown& bd = res.ranks[static_cast<size_t>(r)];
        double dur = 0;
        const ChunkTimes* tf = df >= 0 ? &stage_times[static_cast<size_t>(pos_of(r, df))] : nullptr;
        const ChunkTimes* tb = db >= 0 ? &stage_times[static_cast<size_t>(pos_of(r, db))] : nullptr;
        switch (step.op) {
          case Op::kF:
            dur = tf->f;
            bd.f_s += dur;
            break;
          case Op::kB:
            dur = tb->b;
            bd.b_s += dur;
            rs.deferred.push_back(pos_of(r, db));
            break;
          case Op::kBW:
            dur = tb->b + tb->w;
            bd.b_s += tb->b;
            bd.w_s += tb->w;
            break;
          case Op::kW: {
            if (rs.deferred.empty()) throw Error(fmt::format("DualPipe: rank {} runs W with nothing deferred", r));
            dur = stage_times[static_cast<size_t>(rs.deferred.front())].w;
            rs.deferred.pop_front();
            bd.w_s += dur;
            break;
          }
          case Op::kFB:
            // The two stages of an overlapped pair may differ (first and last
            // stage on one rank): the pair's own time when given, else the
            // mean of each stage's overlapped time.
            dur = c.pair_fb.empty() ? 0.5 * (tf->fb + tb->fb)
                                    : c.pair_fb[static_cast<size_t>(pos_of(r, df) * R + pos_of(r, db))];
            bd.fb_s += dur;
            break;
        }
        const double end = start + dur;
        if (df >= 0) {
          fdone[static_cast<size_t>(df)][static_cast<size_t>(pos_of(r, df))][static_cast<size_t>(mf)] = end;
          ++rs.fcount[df];
        }
        if (db >= 0) {
          bdone[static_cast<size_t>(db)][static_cast<size_t>(pos_of(r, db))][static_cast<size_t>(mb)] = end;
          ++rs.bcount[db];
        }
        rs.free = end;
        ++rs.next;
        ++bd.ops;
        --remaining;
        progress = true;
      }
    }
    if (!progress) throw Error("DualPipe: the schedule deadlocked (internal error)");
  }
  for (int r = 0; r < R; ++r) res.makespan_s = std::max(res.makespan_s, st[static_cast<size_t>(r)].free);
  for (int r = 0; r < R; ++r) {
    RankBreakdown& bd = res.ranks[static_cast<size_t>(r)];
    bd.end_s = st[static_cast<size_t>(r)].free;
    bd.bubble_s = res.makespan_s - (bd.f_s + bd.b_s + bd.w_s + bd.fb_s);
  }
  return res;
}

}  // namespace hwsim::deepseek_v3
