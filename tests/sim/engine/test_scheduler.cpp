// Unit tests of the discrete-event scheduler: one rule of SystemC's wake-up
// order each (sim/engine/scheduler.hpp), with the order written out by hand.
// tests/sim/engine/test_scheduler_systemc.cpp compares whole random process
// scripts against SystemC's kernel itself.
#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/engine/scheduler.hpp"

using namespace hwsim::sim;

namespace {
constexpr std::size_t kStack = 64 * 1024;
}

TEST_CASE("Scheduler wakes timed waits in time order and keeps the clock", "[engine][scheduler]") {
  Scheduler s;
  std::vector<std::pair<int, Tick>> woke;
  for (const auto& [id, at] : std::vector<std::pair<int, Tick>>{{0, 30}, {1, 10}, {2, 20}}) {
    s.spawn(
        [&s, &woke, id = id, at = at] {
          s.wait_until(at);
          woke.emplace_back(id, s.now());
        },
        kStack);
  }
  s.run();
  CHECK(woke == std::vector<std::pair<int, Tick>>{{1, 10}, {2, 20}, {0, 30}});
  CHECK(s.now() == 30);
}

TEST_CASE("Scheduler runs spawned processes first in, first out, and a wait in the past returns at once",
          "[engine][scheduler]") {
  Scheduler s;
  std::string order;
  for (char c : std::string("abc")) {
    s.spawn(
        [&s, &order, c] {
          s.wait_until(0);  // not later than now: no suspension
          order += c;
        },
        kStack);
  }
  s.run();
  CHECK(order == "abc");
}

// sc_ppq is a binary heap without a tie-break: five waits for the same tick,
// made in the order 0..4, sit in the heap in that order, and each extraction
// moves the last entry to the top, where it stays on a tie.
TEST_CASE("Scheduler takes simultaneous wake-ups in SystemC's heap order, not first in first out",
          "[engine][scheduler]") {
  Scheduler s;
  std::vector<int> woke;
  for (int id = 0; id < 5; ++id) {
    s.spawn(
        [&s, &woke, id] {
          s.wait_until(10);
          woke.push_back(id);
        },
        kStack);
  }
  s.run();
  CHECK(woke == std::vector<int>{0, 4, 3, 2, 1});
}

TEST_CASE("Scheduler wakes an event's waiters first, last, ..., second", "[engine][scheduler]") {
  Scheduler s;
  Event ev;
  std::vector<int> woke;
  for (int id = 0; id < 4; ++id) {
    s.spawn(
        [&s, &ev, &woke, id] {
          s.wait(ev);
          woke.push_back(id);
        },
        kStack);
  }
  s.spawn(
      [&s, &ev] {
        s.wait_until(5);
        s.notify(ev);
        s.notify(ev);  // already notified for this delta cycle: not queued twice
      },
      kStack);
  s.run();
  CHECK(woke == std::vector<int>{0, 3, 2, 1});
  CHECK(s.now() == 5);
}

TEST_CASE("Scheduler triggers a delta cycle's events last notified first", "[engine][scheduler]") {
  Scheduler s;
  Event a, b;
  std::string order;
  s.spawn(
      [&] {
        s.wait(a);
        order += 'a';
      },
      kStack);
  s.spawn(
      [&] {
        s.wait(b);
        order += 'b';
      },
      kStack);
  s.spawn(
      [&] {
        s.notify(a);
        s.notify(b);
        order += 'n';
      },
      kStack);
  s.run();
  CHECK(order == "nba");
}

TEST_CASE("Scheduler runs processes woken in a delta cycle before time advances", "[engine][scheduler]") {
  Scheduler s;
  Event ev;
  std::vector<std::pair<char, Tick>> log;
  s.spawn(
      [&] {
        s.wait_until(7);
        log.emplace_back('t', s.now());
      },
      kStack);
  s.spawn(
      [&] {
        s.wait(ev);
        log.emplace_back('e', s.now());
        s.notify(ev);  // nobody waits any more: harmless
      },
      kStack);
  s.spawn([&] { s.notify(ev); }, kStack);
  s.run();
  CHECK(log == std::vector<std::pair<char, Tick>>{{'e', 0}, {'t', 7}});
}

TEST_CASE("Scheduler continues from the previous run's tick and reuses stacks", "[engine][scheduler]") {
  Scheduler s;
  Tick seen = 0;
  for (int run = 0; run < 3; ++run) {
    for (int i = 0; i < 50; ++i) s.spawn([&s] { s.wait_until(s.now() + 100); }, kStack);
    s.spawn([&] { seen = s.now(); }, kStack);
    s.run();
  }
  CHECK(seen == 200);  // the third run started at 200
  CHECK(s.now() == 300);
}

TEST_CASE("Scheduler rethrows a process's exception from run() and unwinds the others", "[engine][scheduler]") {
  Scheduler s;
  Event never;
  int destroyed = 0;
  struct Guard {
    int* n;
    ~Guard() { ++*n; }
  };
  for (int i = 0; i < 3; ++i) {
    s.spawn(
        [&] {
          Guard g{&destroyed};
          s.wait(never);
        },
        kStack);
  }
  s.spawn(
      [&] {
        s.wait_until(3);
        throw std::runtime_error("unit failed");
      },
      kStack);
  CHECK_THROWS_WITH(s.run(), "unit failed");
  CHECK(destroyed == 3);
  // The scheduler stays usable.
  bool ran = false;
  s.spawn([&] { ran = true; }, kStack);
  s.run();
  CHECK(ran);
}

// A CTA's state (its mbarriers' events) may be freed in the evaluation that
// notified them (a single-role CTA run inside its slot's process); SystemC's
// sc_event destructor takes the event out of the delta cycle by moving the
// last notified event into its place, which the remaining order follows.
TEST_CASE("Scheduler drops a destroyed event from the delta cycle as SystemC does", "[engine][scheduler]") {
  Scheduler s;
  Event b, c;
  std::string order;
  s.spawn(
      [&] {
        s.wait(b);
        order += 'b';
      },
      kStack);
  s.spawn(
      [&] {
        s.wait(c);
        order += 'c';
      },
      kStack);
  s.spawn(
      [&] {
        auto a = std::make_unique<Event>();
        s.notify(*a);
        s.notify(b);
        s.notify(c);
        a.reset();  // the delta cycle's events become c, b: triggered b first
      },
      kStack);
  s.run();
  CHECK(order == "bc");
}
