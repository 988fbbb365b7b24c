#pragma once
// Fiber: an execution context with a stack of its own, switched to and from
// explicitly (cooperative, one OS thread). The scheduler (scheduler.hpp) runs
// each simulated process on one. A switch saves and restores only the
// callee-saved registers (x86-64: a few instructions, as SystemC's
// QuickThreads do); other architectures fall back to ucontext, which is
// correct but pays a signal-mask system call per switch.
//
// Contract: a fiber's entry function never returns; it ends by switching
// away for the last time. Stacks come from StackPool, with a guard page below
// each, so an overflow faults instead of corrupting a neighbour.
#include <cstddef>
#include <memory>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace hwsim::sim {

class FiberStack {
 public:
  explicit FiberStack(std::size_t usable_bytes);
  ~FiberStack();
  FiberStack(const FiberStack&) = delete;
  FiberStack& operator=(const FiberStack&) = delete;

  std::byte* bottom() const { return base_ + guard_; }  // lowest usable address
  std::size_t size() const { return usable_; }

 private:
  std::byte* base_ = nullptr;  // the mapping, guard page first
  std::size_t guard_ = 0;
  std::size_t usable_ = 0;
};

// Stacks are mapped once and reused: a launch spawns a process per role of
// every CTA, and mapping a stack per process would cost more than the switches.
class StackPool {
 public:
  std::unique_ptr<FiberStack> take(std::size_t usable_bytes);
  void give_back(std::unique_ptr<FiberStack> stack);

 private:
  std::vector<std::unique_ptr<FiberStack>> free_;
};

class Fiber {
 public:
  using Entry = void (*)(void* arg);

  Fiber() = default;  // the OS thread's own context, filled in by the first switch away from it
  Fiber(const FiberStack& stack, Entry entry, void* arg);
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Saves the running context into `from` and continues `to` where it last
  // switched away (or at its entry). Returns when some fiber switches back.
  static void switch_to(Fiber& from, Fiber& to);
  // As switch_to, for a fiber that will never be resumed (its stack may be
  // reused once the switch is done).
  static void leave_for(Fiber& from, Fiber& to);
  // The first thing an entry function calls (completes the switch into it).
  static void begin(Fiber& self);

 private:
  static void sanitizer_enter(Fiber& from, const Fiber& to, bool from_ends);
  static void sanitizer_entered(Fiber& self);

#if defined(__x86_64__)
  void* sp_ = nullptr;  // saved stack pointer; the registers lie on the stack
#else
  ucontext_t ctx_{};
#endif
  // What AddressSanitizer needs to follow the switch (unused otherwise).
  const void* stack_bottom_ = nullptr;
  std::size_t stack_size_ = 0;
  void* fake_stack_ = nullptr;
};

}  // namespace hwsim::sim
