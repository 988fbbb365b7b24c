#include "models/io/interrupt_cleanup.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

namespace hwsim {
namespace {

namespace fs = std::filesystem;

struct TempEntry {
  fs::path path;  // removed; or, with restore_to set, renamed back
  fs::path restore_to;
};

// What an interrupt must undo. Process-wide, as signals are; guarded by a
// mutex because the cleanup thread reads it while the main thread edits it.
struct Registry {
  std::mutex mutex;
  int next = 0;
  std::map<int, TempEntry> temps;  // ordered by registration: undone newest first
  std::map<int, pid_t> children;
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: the cleanup thread may outlive main's statics
  return *r;
}

// Held by an InterruptDeferral and by the cleanup, which takes it first and keeps it until the process exits.
// A forked child gets a fresh one: a thread of the parent that held it does not exist in the child.
std::recursive_mutex*& deferral_mutex() {
  static std::recursive_mutex* m = new std::recursive_mutex();  // never destroyed, as the registry
  return m;
}

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Both locks are taken for good: the steps in progress finish first, and afterwards no other thread registers,
// unregisters or exits (see hold_exit_during_cleanup) until _exit. Once the registry lock was given back here,
// and the main thread, whose child the undo had stopped, went on, printed that child's result and returned 0
// from main before this thread reached _exit.
void undo_all() {
  deferral_mutex()->lock();
  Registry& r = registry();
  r.mutex.lock();
  for (const auto& [slot, pid] : r.children) ::kill(pid, SIGTERM);
  for (const auto& [slot, pid] : r.children) ::waitpid(pid, nullptr, 0);
  std::error_code ec;
  for (auto it = r.temps.rbegin(); it != r.temps.rend(); ++it) {
    const TempEntry& e = it->second;
    if (e.restore_to.empty()) {
      fs::remove_all(e.path, ec);
    } else if (!fs::exists(e.restore_to, ec) && fs::exists(e.path, ec)) {
      fs::rename(e.path, e.restore_to, ec);
    }
  }
}

// Run by exit(): a thread that ends the process while the cleanup runs waits for the cleanup's _exit instead
// (otherwise its exit would cut the cleanup short, with status 0). The lock is kept: the process is ending.
void hold_exit_during_cleanup() { deferral_mutex()->lock(); }

void wait_for_interrupt() {
  const sigset_t set = interrupt_signals();
  int sig = 0;
  if (sigwait(&set, &sig) != 0) return;
  undo_all();
  ::_exit(128 + sig);
}

int add_temp(TempEntry e) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const int slot = r.next++;
  r.temps.emplace(slot, std::move(e));
  return slot;
}

}  // namespace

void install_interrupt_cleanup() {
  static const bool at_exit = std::atexit(hold_exit_during_cleanup) == 0;  // once; a forked child inherits it
  (void)at_exit;
  const sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(wait_for_interrupt).detach();
}

void install_interrupt_cleanup_in_child() {
  // Only the forking thread survives a fork: the registry's mutex is free
  // unless the parent was cleaning up, and then the parent stops this child.
  Registry& r = registry();
  {
    std::lock_guard lock(r.mutex);
    r.temps.clear();
    r.children.clear();
  }
  deferral_mutex() = new std::recursive_mutex();  // the parent's may be held by a thread the child lacks
  install_interrupt_cleanup();
}

TempPathGuard::TempPathGuard(fs::path path) : slot_(add_temp({std::move(path), {}})) {}

TempPathGuard::TempPathGuard(fs::path from, fs::path to) : slot_(add_temp({std::move(from), std::move(to)})) {}

TempPathGuard::~TempPathGuard() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.temps.erase(slot_);
}

InterruptDeferral::InterruptDeferral() { deferral_mutex()->lock(); }

InterruptDeferral::~InterruptDeferral() { deferral_mutex()->unlock(); }

ChildGuard::ChildGuard(pid_t pid) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  slot_ = r.next++;
  r.children.emplace(slot_, pid);
}

ChildGuard::~ChildGuard() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.children.erase(slot_);
}

}  // namespace hwsim
