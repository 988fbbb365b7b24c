// The DualPipe schedule simulation: operation counts per rank, the breakdown
// summing to the makespan, the bubble against V3 Table 2's closed form, and
// the effect of point-to-point time.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "workloads/deepseek_v3/dualpipe.hpp"

using namespace hwsim::deepseek_v3;

TEST_CASE("DualPipe: every rank runs every micro-batch of both directions once") {
  const ChunkTimes t{1.0, 1.0, 0.5, 2.2};
  const std::vector<ChunkTimes> stages(8, t);
  const auto r = simulate_dualpipe(stages, {8, 20, 0, {}});
  for (size_t i = 0; i < r.ranks.size(); ++i) {
    INFO("rank " << i);
    const auto& b = r.ranks[i];
    // 20 forwards and 20 backwards per rank: F-only + FB pairs = 20, etc.
    const double forwards = b.f_s / t.f + b.fb_s / t.fb;
    const double backwards = b.b_s / t.b + b.fb_s / t.fb;
    CHECK(forwards == Approx(20));
    CHECK(backwards == Approx(20));
    // Every deferred weight pass and every full backward's weight part: 20 W in all.
    CHECK(b.w_s / t.w + b.fb_s / t.fb == Approx(20));
    CHECK(b.f_s + b.b_s + b.w_s + b.fb_s + b.bubble_s == Approx(r.makespan_s));
    CHECK(b.bubble_s >= -1e-12);
  }
}

TEST_CASE("DualPipe: the largest simulated bubble is within 15% of V3 Table 2's (PP/2-1)(F&B+B-3W)") {
  // Chunk times where the overlapped pair F&B is shorter than F + B + W, as
  // in training; the middle ranks idle longest and match the closed form,
  // the outer ranks idle less (the closed form is one number for all ranks).
  for (const ChunkTimes t : {ChunkTimes{1.0, 1.0, 0.5, 2.0}, ChunkTimes{1.0, 2.0, 0.5, 2.5}}) {
    for (int pp : {8, 16}) {
      INFO("PP " << pp << " F&B " << t.fb);
      const std::vector<ChunkTimes> stages(static_cast<size_t>(pp), t);
      const auto r = simulate_dualpipe(stages, {pp, 4 * pp, 0, {}});
      double worst = 0;
      for (const auto& b : r.ranks) worst = std::max(worst, b.bubble_s);
      CHECK(worst == Approx(dualpipe_bubble_formula(pp, t)).epsilon(0.15));
      CHECK(r.ranks[0].bubble_s < worst);
    }
  }
}

TEST_CASE("DualPipe: point-to-point time lengthens the step; bad configurations are errors") {
  const std::vector<ChunkTimes> stages(8, ChunkTimes{1.0, 1.0, 0.5, 2.2});
  const auto a = simulate_dualpipe(stages, {8, 20, 0, {}});
  const auto b = simulate_dualpipe(stages, {8, 20, 0.1, {}});
  CHECK(b.makespan_s > a.makespan_s);
  CHECK_THROWS_WITH(simulate_dualpipe(stages, {8, 10, 0, {}}), Catch::Contains("micro-batches = 10"));
  CHECK_THROWS_WITH(simulate_dualpipe(stages, {7, 20, 0, {}}), Catch::Contains("ranks = 7"));
  CHECK_THROWS_WITH(simulate_dualpipe(std::vector<ChunkTimes>(4), {8, 20, 0, {}}), Catch::Contains("4 stage times"));
}

TEST_CASE("DualPipe: overlapped pairs of two different stages take their own time when given") {
  // Stage 0 light, stage 3 heavy; rank 0 pairs them. A matrix that makes
  // every mixed pair cost 10 lengthens the step against the default mean.
  std::vector<ChunkTimes> stages(4, ChunkTimes{1.0, 1.0, 0.5, 2.0});
  stages[3].fb = 4.0;
  const auto mean = simulate_dualpipe(stages, {4, 8, 0, {}});
  std::vector<double> pairs(16, 2.0);
  for (int f = 0; f < 4; ++f) pairs[static_cast<size_t>(f * 4 + f)] = stages[static_cast<size_t>(f)].fb;
  pairs[0 * 4 + 3] = pairs[3 * 4 + 0] = 10.0;
  const auto given = simulate_dualpipe(stages, {4, 8, 0, pairs});
  CHECK(given.makespan_s > mean.makespan_s);
  CHECK_THROWS_WITH(simulate_dualpipe(stages, {4, 8, 0, std::vector<double>(3)}), Catch::Contains("pair_fb"));
}
