#pragma once
// Clean interrupts: SIGINT, SIGTERM and SIGHUP stop hwsim without leaving
// debris. Code that creates a temporary file or folder, or starts a child
// process, registers it here for its lifetime; on a signal, a dedicated thread
// (installed once by main) stops the registered children, removes the
// registered paths, restores any file set aside, and exits with 128 + signal.
//
// Why a thread and not a handler: removing a folder allocates, which is not
// async-signal-safe; the signals are blocked in every thread and received by
// sigwait() in ordinary code, so cleanup can use std::filesystem safely.
// The registry is process-wide because signals are (docs/reliability.md).
#include <sys/types.h>

#include <filesystem>

namespace hwsim {

// Blocks the signals in the calling thread (and every thread it starts later)
// and starts the thread that waits for them. Call once, first thing in main.
void install_interrupt_cleanup();

// A forked child (that does not exec) must call this first: it forgets what
// the parent registered (the parent's paths and children are the parent's to
// undo) and starts the child's own cleanup thread, so that the SIGTERM the
// parent sends on an interrupt removes the child's temporary files (e.g. the
// result cache's) and stops its own children before it exits.
void install_interrupt_cleanup_in_child();

// Contract: while a guard lives, an interrupt removes its path (file or
// folder, recursively); a restore guard instead renames `from` back to `to`
// when `to` is missing. Destroying the guard only unregisters it.
class TempPathGuard {
 public:
  explicit TempPathGuard(std::filesystem::path path);
  TempPathGuard(std::filesystem::path from, std::filesystem::path to);  // restore
  ~TempPathGuard();
  TempPathGuard(const TempPathGuard&) = delete;
  TempPathGuard& operator=(const TempPathGuard&) = delete;

 private:
  int slot_;
};

// Contract: while a guard lives, an interrupt sends SIGTERM to the child and
// waits for it; the owner still reaps it normally.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid);
  ~ChildGuard();
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;

 private:
  int slot_;
};

// Contract: while a deferral lives in some thread, an interrupt waits for it to end before it undoes anything;
// the cleanup then holds every later deferral off until the process exits. The cleanup thread runs beside the
// others, so without one it could remove a temporary path while its owner is still creating or renaming it (a
// report folder half renamed into place, a temporary file created just after its removal, a child forked but
// not yet registered). Hold one around such steps: create a path and register its guard, fill it and rename it
// into place; fork a child and register its guard. Keep it short: the interrupt waits for it. Nesting in one
// thread is allowed.
class InterruptDeferral {
 public:
  InterruptDeferral();
  ~InterruptDeferral();
  InterruptDeferral(const InterruptDeferral&) = delete;
  InterruptDeferral& operator=(const InterruptDeferral&) = delete;
};

}  // namespace hwsim
