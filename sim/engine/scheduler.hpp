#pragma once
// Scheduler: hwsim's discrete-event kernel. It runs processes (one per block
// scheduler slot, per role of a resident CTA, per stream) on fibers of their
// own, wakes them at ticks or on events, and keeps the one simulated clock.
//
// It replaces SystemC's kernel, which hwsim used only for this, and wakes
// processes in exactly the order SystemC 2.3's kernel (sc_simcontext::crunch
// and simulate, sc_event::trigger, sc_ppq) does, so every bandwidth server
// sees its requests in the same order and every simulated time is the same to
// the last bit (docs/engine.md, "The scheduler"):
//  - runnable processes run first in, first out (spawned or woken);
//  - when none is left, the events notified for the next delta cycle are
//    triggered last notified first, and an event wakes its waiters in the
//    order first, last, second to last, ..., second (SystemC's swap-with-last
//    removal); an event already notified for the delta is not queued again;
//  - when neither is left, time advances to the earliest timed wake-up; the
//    wake-ups of that tick are taken from a binary heap that is SystemC's
//    sc_ppq step for step (the same sift-up, sift-down and ties), so
//    simultaneous wake-ups come out in SystemC's order.
// What is cheaper: the heap compares integer ticks inline instead of through a
// function pointer over sc_time objects; a timed wait is one heap entry, not an
// event object; a switch saves six registers; processes have no names, no
// handles and no per-process event objects.
//
// Contract: wait_until() and wait() are called only from inside a process;
// spawn() from anywhere; run() only from outside any process.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include "sim/engine/fiber.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::sim {

class Scheduler;
struct Process;

// Something processes wait for (an mbarrier phase, a CTA's roles finishing);
// notified for the next delta cycle.
// An event destroyed while notified leaves the delta cycle as SystemC's
// sc_event::cancel does: the last notified event takes its place (which
// changes the order in which the rest are triggered).
class Event {
 public:
  Event() = default;
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

 private:
  friend class Scheduler;
  std::vector<Process*> waiters_;
  Scheduler* scheduler_ = nullptr;  // where it is queued, while notified_
  std::size_t delta_index_ = 0;     // its place in Scheduler::delta_
  bool notified_ = false;           // queued for the next delta cycle
};

class Scheduler {
 public:
  Scheduler();
  ~Scheduler();  // unwinds processes left waiting (after a stop)
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  Tick now() const { return now_; }

  // A new process that runs `body` after the processes already runnable.
  void spawn(std::function<void()> body, std::size_t stack_bytes);
  // Inside a process: suspend until tick t (nothing if t <= now).
  void wait_until(Tick t) {
    if (t > now_) wait_timed(t);
  }
  // Inside a process: suspend until `e` is triggered.
  void wait(Event& e);
  // Triggers `e` in the next delta cycle (at the current tick).
  void notify(Event& e);
  // Ends run() once the processes runnable now have run; processes still
  // waiting are unwound (their stacks' objects destroyed).
  void stop() { stopped_ = true; }
  // Runs until no process is runnable and no wake-up is pending, or stop().
  // An exception escaping a process stops the run and is rethrown here.
  void run();

 private:
  friend class Event;  // a destroyed event leaves the delta cycle
  struct Timed {
    Tick at;
    Process* process;
  };
  static void entry(void* process);

  void wait_timed(Tick t);
  void suspend();
  void finish_current();
  void resume_from_main(Process* p);
  void make_runnable(Process* p);
  Process* pop_runnable();
  void trigger(Event& e);
  void remove_delta(Event& e);
  void evaluate();
  bool advance_time();
  void reap();
  void unwind_waiting();
  void heap_insert(Timed t);
  Timed heap_extract_top();

  Tick now_ = 0;
  Fiber main_;
  Process* current_ = nullptr;
  Process* runnable_head_ = nullptr;
  Process* runnable_tail_ = nullptr;
  std::vector<Event*> delta_;
  std::vector<Timed> heap_;  // 1-based, as sc_ppq: heap_[0] unused
  std::vector<std::unique_ptr<Process>> processes_;
  std::unique_ptr<Process> dead_;  // ended, its stack still in use until the next switch
  StackPool stacks_;
  bool stopped_ = false;
  std::exception_ptr failure_;
};

}  // namespace hwsim::sim
