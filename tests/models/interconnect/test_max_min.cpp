// Max-min fair progressive filling against hand-computed allocations, and the
// event-driven flow simulation against hand-computed completion times.
#include <catch2/catch.hpp>

#include "models/interconnect/chunk_pipeline.hpp"
#include "models/interconnect/max_min.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::interconnect;

TEST_CASE("max-min: a flow limited by a narrow link leaves the rest to its neighbour") {
  // Link 0 (10 B/s): flows 0 and 1; link 1 (4 B/s): flows 1 and 2. Link 1
  // saturates first at 2 B/s each; flow 0 then takes 10 - 2 = 8 B/s.
  const std::vector<double> cap = {10, 4};
  const std::vector<Flow> flows = {{{0}}, {{0, 1}}, {{1}}};
  const auto r = max_min_rates(cap, flows);
  CHECK(r[0] == Approx(8));
  CHECK(r[1] == Approx(2));
  CHECK(r[2] == Approx(2));
}

TEST_CASE("max-min: parking lot gives the long flow and every short flow half a link") {
  const std::vector<double> cap = {1, 1, 1};
  const std::vector<Flow> flows = {{{0, 1, 2}}, {{0}}, {{1}}, {{2}}};
  const auto r = max_min_rates(cap, flows);
  for (double x : r) CHECK(x == Approx(0.5));
}

TEST_CASE("max-min: three levels of bottleneck") {
  // Link 0 (3): flows a, b, c; link 1 (10): flows c, d; link 2 (1): flow b.
  // b is held to 1 by link 2; a and c split link 0's remaining 2; d takes
  // 10 - 1 = 9 of link 1.
  const std::vector<double> cap = {3, 10, 1};
  const std::vector<Flow> flows = {{{0}}, {{0, 2}}, {{0, 1}}, {{1}}};
  const auto r = max_min_rates(cap, flows);
  CHECK(r[0] == Approx(1));
  CHECK(r[1] == Approx(1));
  CHECK(r[2] == Approx(1));
  CHECK(r[3] == Approx(9));
}

TEST_CASE("max-min: bad input is an error naming the flow or link") {
  const std::vector<double> cap = {1};
  CHECK_THROWS_WITH(max_min_rates(cap, std::vector<Flow>{{{}}}), Catch::Contains("flow 0"));
  CHECK_THROWS_WITH(max_min_rates(cap, std::vector<Flow>{{{3}}}), Catch::Contains("link index 3"));
  CHECK_THROWS_WITH(max_min_rates(std::vector<double>{0}, std::vector<Flow>{{{0}}}), Catch::Contains("link 0"));
}

TEST_CASE("flow simulation: a finished flow returns its share to the others") {
  // Two flows of 10 and 30 bytes share a 10 B/s link: both at 5 B/s until the
  // first ends at 2 s; the second's last 20 bytes go at 10 B/s, ending at 4 s.
  const std::vector<double> cap = {10};
  const std::vector<TimedFlow> flows = {{{0}, 10, 0, 0.5}, {{0}, 30, 0, 0.5}};
  const auto s = simulate_flows(cap, flows);
  CHECK(s.finish_s[0] == Approx(2.5));
  CHECK(s.finish_s[1] == Approx(4.5));
  CHECK(s.makespan_s == Approx(4.5));
  CHECK(s.rate_solves == 2);
}

TEST_CASE("flow simulation: a late flow shares only from its start") {
  // Flow 0 (20 B) alone at 10 B/s for 1 s (10 B left), then both at 5 B/s:
  // flow 0 ends at 3 s, flow 1 (20 B, 10 B done) at 3 + 10/10 = 4 s.
  const std::vector<double> cap = {10};
  const std::vector<TimedFlow> flows = {{{0}, 20, 0, 0}, {{0}, 20, 1, 0}};
  const auto s = simulate_flows(cap, flows);
  CHECK(s.finish_s[0] == Approx(3));
  CHECK(s.finish_s[1] == Approx(4));
}

TEST_CASE("chunk pipeline: one stage pays latency once and per-chunk cost per chunk") {
  const std::vector<ChunkStage> one = {{100, 0.01, 0.5}};
  // 10 chunks of 10 B at 100 B/s: 10 x (0.1 + 0.01) + 0.5.
  CHECK(chunked_transfer_s(100, 10, one) == Approx(1.6));
}

TEST_CASE("chunk pipeline: two stages overlap, the slower sets the pace") {
  const std::vector<ChunkStage> two = {{100, 0, 0.2}, {50, 0, 0.3}};
  // s1 = 0.1, s2 = 0.2 per chunk; n = 10: s1 + s2 + 9 x max + latencies.
  CHECK(chunked_transfer_s(100, 10, two) == Approx(0.1 + 0.2 + 9 * 0.2 + 0.5));
  // Finer chunks shrink the pipeline fill towards bytes / slowest rate.
  CHECK(chunked_transfer_s(100, 1, two) < chunked_transfer_s(100, 10, two));
  CHECK(chunked_transfer_s(100, 1, two) > 100.0 / 50 + 0.5);
  CHECK_THROWS_AS(chunked_transfer_s(100, 0, two), hwsim::Error);
}
