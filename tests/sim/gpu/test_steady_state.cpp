// The steady-state extension's plan and arithmetic (sim/gpu/steady_state.hpp):
// which launches it applies to, the shortened launches keep the real last
// round, and statistics that grow by the same amount every round are extended
// exactly. Its accuracy on real kernels: tests/workloads/test_steady_state_sweep.cpp.
#include <catch2/catch.hpp>

#include "sim/gpu/steady_state.hpp"

using namespace hwsim::sim;

namespace {

KernelProgram persistent(std::int64_t ctas, std::int64_t units, int cluster = 1) {
  KernelProgram k;
  k.ctas = ctas;
  k.cluster_size = cluster;
  k.work_units = units;
  k.persistent = true;
  return k;
}

// A launch whose every statistic is a + b * rounds.
LaunchStats linear_run(std::int64_t rounds) {
  LaunchStats s;
  s.issued = 1000 * rounds;  // each run starts where the last ended
  s.start = s.issued + 40;
  s.end = s.start + 500 + 70 * rounds;
  s.hbm_drain = s.end - 5;
  s.hbm_read = 4096 + 2048 * rounds;
  s.l2_read = 9000 + 3000 * rounds;
  s.l2_read_hit = 1000 + 1000 * rounds;
  s.wgmma = 64 * rounds;
  s.tagged_ops = {7 * rounds};
  s.tensor_busy = 11 * rounds;
  s.role_time = 300 + 90 * rounds;
  s.stalls["math0.wgmma_wait"] = 5 + 3 * rounds;
  return s;
}

}  // namespace

TEST_CASE("the extension applies to persistent launches of many rounds, S growing with R", "[steady_state]") {
  const SteadyStateOptions on{true, 4, 8};
  CHECK_FALSE(plan_steady_state(persistent(132, 132 * 23), on));                    // S 4, L 8: needs 24 rounds
  CHECK_FALSE(plan_steady_state(persistent(132, 132 * 40), SteadyStateOptions{}));  // off by default
  KernelProgram grid = persistent(132 * 40, 132 * 40);
  grid.persistent = false;
  CHECK_FALSE(plan_steady_state(grid, on));
  // 24 full rounds and a last one of 50 units; clusters of 2 CTAs.
  const auto p = plan_steady_state(persistent(132, 66 * 24 + 50, 2), on);
  REQUIRE(p);
  CHECK(p->rounds == 25);
  CHECK(p->short_rounds == 4);
  CHECK(p->long_rounds == 8);
  CHECK(p->short_units == 66 * 3 + 50);  // the last round's clusters keep their extra unit
  CHECK(p->long_units == 66 * 7 + 50);
  CHECK(p->extension == Approx(17.0 / 4.0));
  // 100 rounds: S = ceil(100 / 8) = 13, L = 26.
  const auto q = plan_steady_state(persistent(132, 132 * 100), on);
  REQUIRE(q);
  CHECK(q->short_rounds == 13);
  CHECK(q->long_rounds == 26);
  CHECK(q->long_units == 132 * 26);
}

TEST_CASE("statistics that grow linearly with the rounds are extended exactly", "[steady_state]") {
  const LaunchStats full = linear_run(21), s = linear_run(3), l = linear_run(6);
  const LaunchStats r = extend_steady_state(s, l, 5.0);
  CHECK(r.end - r.start == full.end - full.start);
  CHECK(r.start - r.issued == full.start - full.issued);
  CHECK(r.hbm_read == full.hbm_read);
  CHECK(r.l2_read == full.l2_read);
  CHECK(r.l2_read_hit == full.l2_read_hit);
  CHECK(r.wgmma == full.wgmma);
  CHECK(r.tagged_ops == full.tagged_ops);
  CHECK(r.tensor_busy == full.tensor_busy);
  CHECK(r.role_time == full.role_time);
  CHECK(r.stalls == full.stalls);
  CHECK(r.hbm_drain - r.start == full.hbm_drain - full.start);
}
