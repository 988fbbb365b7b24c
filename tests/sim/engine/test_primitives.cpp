// Unit tests of the engine's timing primitives (no SystemC needed).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <queue>
#include <random>

#include "sim/engine/bandwidth_server.hpp"
#include "sim/engine/capacity_pool.hpp"
#include "sim/engine/time.hpp"
#include "sim/engine/trace_writer.hpp"

using namespace hwsim::sim;

TEST_CASE("ClockDomain converts cycles to ticks without drift", "[engine]") {
  const ClockDomain c(1980.0);
  CHECK(c.to_ticks(Cycles{1}) == 505);
  CHECK(c.to_ticks(Cycles{1'000'000}) == 505'050'505);  // 1e6 cycles at 1980 MHz = 505.05 us
  CHECK(c.to_cycles(c.to_ticks(Cycles{123456})).count == 123456);
  CHECK(c.ticks_for(2.0) == 1010);
  CHECK(c.per_tick(128.0) == Approx(128.0 / 505.05).epsilon(1e-4));
}

TEST_CASE("BandwidthServer serves requests in FIFO order at its rate, then adds latency", "[engine]") {
  BandwidthServer s(2.0, 100);  // 2 bytes per tick
  const auto a = s.request(0, 1000);
  CHECK(a.start == 0);
  CHECK(a.end == 500);
  CHECK(a.done == 600);
  const auto b = s.request(10, 1000);  // queued behind a
  CHECK(b.start == 500);
  CHECK(b.end == 1000);
  const auto c = s.request(5000, 200);  // idle server starts at arrival
  CHECK(c.start == 5000);
  CHECK(c.end == 5100);
  CHECK(s.busy_ticks() == 1100);
}

TEST_CASE("Pipeline accepts one operation per issue interval", "[engine]") {
  Pipeline p;
  const auto a = p.issue(0, 10, 50);
  const auto b = p.issue(0, 10, 50);
  const auto c = p.issue(100, 10, 5);
  CHECK(a.issue == 0);
  CHECK(a.done == 50);
  CHECK(b.issue == 10);
  CHECK(b.done == 60);
  CHECK(c.issue == 100);
  CHECK(c.done == 110);  // never done before its issue interval ends
}

TEST_CASE("CapacityPool makes the next holder wait for the earliest release", "[engine]") {
  CapacityPool pool(2);
  CHECK(pool.acquire(0) == 0);
  pool.hold_until(300);
  CHECK(pool.acquire(0) == 0);
  pool.hold_until(200);
  CHECK(pool.acquire(10) == 200);  // full: waits for the slot released at 200
  pool.hold_until(400);
  CHECK(pool.acquire(250) == 300);
  pool.hold_until(500);
  CHECK(pool.acquire(1000) == 1000);  // everything released by now
}

TEST_CASE("CapacityPool gives the ticks a heap of release ticks gives, in any order of releases", "[engine]") {
  // The reference: the priority queue the pool used to be.
  std::mt19937_64 rng(7);
  for (const int capacity : {1, 3, 32}) {
    CapacityPool pool(capacity);
    std::priority_queue<Tick, std::vector<Tick>, std::greater<>> ref;
    Tick now = 0;
    int waited = 0;
    for (int i = 0; i < 5000; ++i) {
      now += static_cast<Tick>(rng() % static_cast<std::uint64_t>(40 / capacity + 2));
      while (!ref.empty() && ref.top() <= now) ref.pop();
      Tick want = now;
      if (static_cast<int>(ref.size()) >= capacity) {
        want = ref.top();
        ref.pop();
      }
      const Tick got = pool.acquire(now);
      REQUIRE(got == want);
      waited += got > now ? 1 : 0;
      // Releases out of order and tied: a box may land before an earlier one.
      const Tick release = got + static_cast<Tick>(rng() % 400);
      pool.hold_until(release);
      ref.push(release);
    }
    CHECK(waited > 100);  // the pool was full often enough to matter
  }
}

TEST_CASE("TraceWriter keeps at most its cap of spans and writes Chrome-trace JSON", "[engine][trace]") {
  const auto path = std::filesystem::temp_directory_path() / "hwsim_test_trace.json";
  TraceWriter w(path, 100);
  const int a = w.track("SM000 tensor core");
  const int b = w.track("HBM channel 00");
  CHECK(w.track("SM000 tensor core") == a);
  for (int i = 0; i < 10000; ++i) w.span(i % 2 ? a : b, "x", i * 1000, i * 1000 + 500);
  CHECK(w.offered() == 10000);
  CHECK(w.kept() <= 100);
  CHECK(w.kept() >= 50);  // thinning halves, never empties
  w.write();
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  int spans = 0, names = 0;
  for (const auto& e : j.at("traceEvents")) {
    if (e.at("ph") == "X") ++spans;
    if (e.at("ph") == "M" && e.at("name") == "thread_name") ++names;
  }
  CHECK(spans == w.kept());
  CHECK(names == 2);
  CHECK(j.at("otherData").at("sampling_stride").get<int>() > 1);
  std::filesystem::remove(path);
}
