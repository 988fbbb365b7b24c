#include "models/io/interrupt_cleanup.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

sigset_t interrupt_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void undo_all() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
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
  install_interrupt_cleanup();
}

TempPathGuard::TempPathGuard(fs::path path) : slot_(add_temp({std::move(path), {}})) {}

TempPathGuard::TempPathGuard(fs::path from, fs::path to) : slot_(add_temp({std::move(from), std::move(to)})) {}

TempPathGuard::~TempPathGuard() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.temps.erase(slot_);
}

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
