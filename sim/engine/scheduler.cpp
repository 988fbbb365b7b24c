#include "sim/engine/scheduler.hpp"

#include <utility>

namespace hwsim::sim {

struct Process {
  Process(Scheduler* s, std::function<void()> b, std::unique_ptr<FiberStack> st, Fiber::Entry entry)
      : owner(s), body(std::move(b)), stack(std::move(st)), fiber(*stack, entry, this) {}

  Scheduler* owner;
  std::function<void()> body;
  std::unique_ptr<FiberStack> stack;
  Fiber fiber;
  Process* next = nullptr;  // in the runnable list
  std::size_t slot = 0;     // index in Scheduler::processes_
  bool started = false;
  bool killed = false;  // resumed only to unwind its stack
};

namespace {
// Thrown inside a process that is unwound (Scheduler::stop); caught at its entry.
struct ProcessKilled {};
}  // namespace

Scheduler::Scheduler() {
  heap_.reserve(128);
  heap_.push_back({});
}

Scheduler::~Scheduler() { unwind_waiting(); }

void Scheduler::spawn(std::function<void()> body, std::size_t stack_bytes) {
  auto p = std::make_unique<Process>(this, std::move(body), stacks_.take(stack_bytes), &Scheduler::entry);
  p->slot = processes_.size();
  make_runnable(p.get());
  processes_.push_back(std::move(p));
}

void Scheduler::entry(void* arg) {
  auto* p = static_cast<Process*>(arg);
  Fiber::begin(p->fiber);
  Scheduler& s = *p->owner;
  if (s.dead_) s.reap();
  p->started = true;
  try {
    if (!p->killed) p->body();
  } catch (const ProcessKilled&) {  // unwound on purpose: nothing to report
  } catch (...) {
    if (!s.failure_) s.failure_ = std::current_exception();
    s.stopped_ = true;
  }
  p->body = nullptr;
  s.finish_current();
}

void Scheduler::make_runnable(Process* p) {
  p->next = nullptr;
  if (runnable_tail_) {
    runnable_tail_->next = p;
  } else {
    runnable_head_ = p;
  }
  runnable_tail_ = p;
}

Process* Scheduler::pop_runnable() {
  Process* p = runnable_head_;
  if (p) {
    runnable_head_ = p->next;
    if (!runnable_head_) runnable_tail_ = nullptr;
    p->next = nullptr;
  }
  return p;
}

// The running process gives way to the next runnable one, or to run() when
// none is left (SystemC's sc_simcontext::next_cor), without passing through
// run() in between.
void Scheduler::suspend() {
  Process* self = current_;
  Process* next = pop_runnable();
  current_ = next;
  Fiber::switch_to(self->fiber, next ? next->fiber : main_);
  if (dead_) reap();
  if (self->killed) throw ProcessKilled{};
}

void Scheduler::wait_timed(Tick t) {
  heap_insert({t, current_});
  suspend();
}

void Scheduler::wait(Event& e) {
  e.waiters_.push_back(current_);
  suspend();
}

void Scheduler::notify(Event& e) {
  if (e.notified_) return;
  e.notified_ = true;
  e.scheduler_ = this;
  e.delta_index_ = delta_.size();
  delta_.push_back(&e);
}

Event::~Event() {
  if (notified_) scheduler_->remove_delta(*this);
}

// SystemC's sc_simcontext::remove_delta_event: the last one fills the hole.
void Scheduler::remove_delta(Event& e) {
  const std::size_t i = e.delta_index_;
  if (i + 1 != delta_.size()) {
    delta_[i] = delta_.back();
    delta_[i]->delta_index_ = i;
  }
  delta_.pop_back();
  e.notified_ = false;
}

// SystemC's sc_event::trigger: each woken waiter is replaced by the last one,
// whose place is looked at again, so waiters wake first, last, ..., second.
void Scheduler::trigger(Event& e) {
  e.notified_ = false;
  std::vector<Process*>& w = e.waiters_;
  auto last = static_cast<std::ptrdiff_t>(w.size()) - 1;
  for (std::ptrdiff_t i = 0; i <= last; ++i) {
    make_runnable(w[static_cast<std::size_t>(i)]);
    w[static_cast<std::size_t>(i)] = w[static_cast<std::size_t>(last)];
    --i;
    --last;
  }
  w.clear();
}

void Scheduler::finish_current() {
  Process* self = current_;
  const std::size_t slot = self->slot;
  dead_ = std::move(processes_[slot]);
  if (slot + 1 < processes_.size()) {
    processes_[slot] = std::move(processes_.back());
    processes_[slot]->slot = slot;
  }
  processes_.pop_back();
  Process* next = pop_runnable();
  current_ = next;
  Fiber::leave_for(self->fiber, next ? next->fiber : main_);
}

// Frees the process that ended last, now that its stack is no longer the
// running one (callers test dead_ first: this runs after every switch).
void Scheduler::reap() {
  stacks_.give_back(std::move(dead_->stack));
  dead_.reset();
}

void Scheduler::resume_from_main(Process* p) {
  current_ = p;
  Fiber::switch_to(main_, p->fiber);
  if (dead_) reap();
}

// SystemC's crunch(): evaluate until nothing is runnable, then trigger the
// delta cycle's events, last notified first, and evaluate again.
void Scheduler::evaluate() {
  for (;;) {
    if (Process* p = pop_runnable()) resume_from_main(p);
    if (stopped_ || delta_.empty()) return;
    for (auto it = delta_.rbegin(); it != delta_.rend(); ++it) trigger(**it);
    delta_.clear();
    if (!runnable_head_) return;
  }
}

// SystemC's simulate(): the clock moves to the earliest wake-up, and every
// wake-up at that tick is taken from the heap in the heap's order.
bool Scheduler::advance_time() {
  if (heap_.size() <= 1) return false;
  const Tick t = heap_[1].at;
  now_ = t;
  do {
    make_runnable(heap_extract_top().process);
  } while (heap_.size() > 1 && heap_[1].at == t);
  return true;
}

void Scheduler::run() {
  stopped_ = false;
  for (;;) {
    evaluate();
    if (stopped_ || !advance_time()) break;
  }
  if (stopped_) unwind_waiting();
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

// Resumes every process left waiting once more, to throw ProcessKilled
// through its frames, so the objects on its stack are destroyed.
void Scheduler::unwind_waiting() {
  runnable_head_ = runnable_tail_ = nullptr;
  delta_.clear();
  heap_.resize(1);
  while (!processes_.empty()) {
    Process* p = processes_.back().get();
    p->killed = true;
    if (p->started) {
      resume_from_main(p);
    } else {
      processes_.pop_back();
    }
  }
}

// sc_ppq_base::insert, with SystemC's comparison of notification times.
void Scheduler::heap_insert(Timed t) {
  heap_.push_back(t);
  std::size_t i = heap_.size() - 1;
  while (i > 1 && heap_[i >> 1].at > t.at) {
    heap_[i] = heap_[i >> 1];
    i >>= 1;
  }
  heap_[i] = t;
}

// sc_ppq_base::extract_top and heapify: the last entry moves to the top and
// sinks, past the earlier child (the left one on a tie) while that child is
// strictly earlier. It is carried down as a hole rather than swapped level by
// level: the same comparisons, so the same order, with fewer stores.
Scheduler::Timed Scheduler::heap_extract_top() {
  const Timed top = heap_[1];
  const Timed sinking = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size() - 1;
  std::size_t i = 1;
  for (std::size_t l = 2; l <= n; l = i << 1) {
    std::size_t earliest = heap_[l].at < sinking.at ? l : i;
    const Tick best = earliest == l ? heap_[l].at : sinking.at;
    const std::size_t r = l + 1;
    if (r <= n && heap_[r].at < best) earliest = r;
    if (earliest == i) break;
    heap_[i] = heap_[earliest];
    i = earliest;
  }
  if (n >= 1) heap_[i] = sinking;
  return top;
}

}  // namespace hwsim::sim
