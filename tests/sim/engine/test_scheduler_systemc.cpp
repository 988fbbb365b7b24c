// hwsim's scheduler against SystemC 2.3's kernel, the order it reproduces
// (sim/engine/scheduler.hpp): random scripts of processes that wait for ticks
// (many at the same tick), wait for and notify shared events and spawn other
// processes run under both, and every resumption is logged with its tick. The
// two logs must be equal entry for entry. SystemC is linked only here.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <random>
#include <systemc>
#include <vector>

#include "sim/engine/scheduler.hpp"

// libsystemc references sc_main; this executable brings Catch2's main.
int sc_main(int, char**) { return 1; }

using hwsim::sim::Tick;

namespace {

enum class StepKind { kDelay, kWaitEvent, kNotify, kSpawn };
struct Step {
  StepKind kind;
  int arg;  // ticks, event or child process
};

struct Scripts {
  std::vector<std::vector<Step>> steps;  // per process: roots first, then children
  int roots = 0;
  int events = 0;
  Tick end = 0;  // after this the driver notifies every event each tick until all are done
};

// Delays from a short list so that many processes wake at the same tick.
Scripts make_scripts(std::uint64_t seed, int roots, int children, int steps, int events) {
  std::mt19937_64 rng(seed);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  constexpr int kDelays[] = {1, 1, 2, 3, 5, 8};
  Scripts s;
  s.roots = roots;
  s.events = events;
  s.steps.resize(static_cast<size_t>(roots + children));
  for (auto& p : s.steps) {
    for (int i = 0; i < steps; ++i) {
      const int r = pick(20);
      if (r < 10)
        p.push_back({StepKind::kDelay, kDelays[pick(6)]});
      else if (r < 14)
        p.push_back({StepKind::kWaitEvent, pick(events)});
      else
        p.push_back({StepKind::kNotify, pick(events)});
    }
  }
  for (int c = 0; c < children; ++c) {  // each child is spawned once, by a root, somewhere in its script
    auto& host = s.steps[static_cast<size_t>(pick(roots))];
    host.insert(host.begin() + pick(static_cast<int>(host.size()) + 1), Step{StepKind::kSpawn, roots + c});
  }
  s.end = static_cast<Tick>(steps) * 4;
  return s;
}

struct Entry {
  int process;
  Tick at;
  bool operator==(const Entry& o) const { return process == o.process && at == o.at; }
};

// Runs the scripts on kernel K (now, wait_for, wait, notify, spawn, run).
template <class K>
class ScriptRun {
 public:
  ScriptRun(K& k, const Scripts& s) : k_(k), s_(s) {}

  std::vector<Entry> run() {
    for (int p = 0; p < s_.roots; ++p) k_.spawn([this, p] { body(p); });
    k_.spawn([this] { driver(); });
    k_.run();
    return log_;
  }

 private:
  void body(int p) {
    for (const Step& st : s_.steps[static_cast<size_t>(p)]) {
      log_.push_back({p, k_.now()});
      switch (st.kind) {
        case StepKind::kDelay:
          k_.wait_for(st.arg);
          break;
        case StepKind::kWaitEvent:
          k_.wait(st.arg);
          break;
        case StepKind::kNotify:
          k_.notify(st.arg);
          break;
        case StepKind::kSpawn:
          k_.spawn([this, c = st.arg] { body(c); });
          break;
      }
    }
    log_.push_back({p, k_.now()});
    ++done_;
  }
  void driver() {
    k_.wait_for(s_.end);
    while (done_ < static_cast<int>(s_.steps.size())) {
      for (int e = 0; e < s_.events; ++e) k_.notify(e);
      k_.wait_for(1);
    }
  }

  K& k_;
  const Scripts& s_;
  std::vector<Entry> log_;
  int done_ = 0;
};

class HwsimKernel {
 public:
  explicit HwsimKernel(int events) {
    for (int e = 0; e < events; ++e) events_.push_back(std::make_unique<hwsim::sim::Event>());
  }
  Tick now() const { return s_.now(); }
  void wait_for(Tick dt) { s_.wait_until(s_.now() + dt); }
  void wait(int e) { s_.wait(*events_[static_cast<size_t>(e)]); }
  void notify(int e) { s_.notify(*events_[static_cast<size_t>(e)]); }
  void spawn(std::function<void()> f) { s_.spawn(std::move(f), 64 * 1024); }
  void run() { s_.run(); }

 private:
  hwsim::sim::Scheduler s_;
  std::vector<std::unique_ptr<hwsim::sim::Event>> events_;
};

// SystemC's context is global: time carries over from one test to the next,
// so ticks are logged from the run's start.
class SystemcKernel {
 public:
  explicit SystemcKernel(int events) : start_(sc_core::sc_time_stamp().value()) {
    for (int e = 0; e < events; ++e) events_.push_back(std::make_unique<sc_core::sc_event>());
  }
  Tick now() const { return static_cast<Tick>(sc_core::sc_time_stamp().value() - start_); }
  void wait_for(Tick dt) { sc_core::wait(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(dt))); }
  void wait(int e) { sc_core::wait(*events_[static_cast<size_t>(e)]); }
  void notify(int e) { events_[static_cast<size_t>(e)]->notify(sc_core::SC_ZERO_TIME); }
  void spawn(std::function<void()> f) {
    sc_core::sc_spawn_options o;
    o.set_stack_size(64 * 1024);
    sc_core::sc_spawn(std::move(f), nullptr, &o);
  }
  void run() { sc_core::sc_start(); }

 private:
  sc_dt::uint64 start_;
  std::vector<std::unique_ptr<sc_core::sc_event>> events_;
};

std::vector<Entry> run_hwsim(const Scripts& s) {
  HwsimKernel k(s.events);
  return ScriptRun<HwsimKernel>(k, s).run();
}

std::vector<Entry> run_systemc(const Scripts& s) {
  SystemcKernel k(s.events);
  return ScriptRun<SystemcKernel>(k, s).run();
}

}  // namespace

TEST_CASE("Scheduler wakes processes in SystemC's order on random scripts", "[engine][scheduler]") {
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const int roots = 4 + static_cast<int>(seed % 5) * 10;  // 4 to 44 processes at the start
    const Scripts s = make_scripts(seed, roots, 8, 16, 1 + static_cast<int>(seed % 4));
    const std::vector<Entry> ours = run_hwsim(s);
    const std::vector<Entry> theirs = run_systemc(s);
    INFO("seed " << seed << ", " << theirs.size() << " resumptions");
    REQUIRE(ours.size() == theirs.size());
    size_t first_difference = 0;
    while (first_difference < ours.size() && ours[first_difference] == theirs[first_difference]) ++first_difference;
    INFO("first difference at resumption " << first_difference);
    CHECK(first_difference == ours.size());
  }
}
