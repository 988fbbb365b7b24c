// GpuSimulator::prefetch: independent launches simulated in several processes
// at once. SystemC's context is global to a process, so parallel simulations
// are forked children, each a copy of this simulator; launches are
// independent of what ran before them (each starts from a flushed L2), so a
// launch gives the same result in whichever process simulates it.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include "models/io/interrupt_cleanup.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/simulator_version.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// A fresh private folder, removed when it goes out of scope.
struct ScratchDir {
  fs::path path;
  std::optional<TempPathGuard> guard;  // an interrupt removes it too
  ScratchDir() {
    const InterruptDeferral creating;  // created and registered before an interrupt looks
    std::string templ = (fs::temp_directory_path() / "hwsim-jobs-XXXXXX").string();
    if (::mkdtemp(templ.data()) != nullptr) {
      path = templ;
      guard.emplace(path);
    }
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

// The first process to create launch i's marker simulates it.
bool claim(const fs::path& claims, size_t i) {
  const int fd = ::open((claims / std::to_string(i)).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace

// About a second of simulation per 7.5e11 FLOPs or 1.5e9 bytes of tensors
// (hwsim bench on the development machine); only the order matters.
double GpuSimulator::cost_estimate(const KernelDescriptor& d) const {
  try {
    const sim::KernelProgram p = program(d, sm_set(d, {}));
    double bytes = 0;
    for (const auto& t : p.tensors) bytes += static_cast<double>(t.bytes());
    return p.flops / 7.5e11 + bytes / 1.5e9;
  } catch (const std::exception&) {
    return 0;  // fails again, quickly, when simulated
  }
}

// Takes launches in order until none is left unclaimed. A child files each
// result where the parent will look for it; an error is left for the parent,
// which meets it again when the caller asks for that launch.
void GpuSimulator::simulate_claimed(const std::vector<KernelDescriptor>& ds, const fs::path& claims, bool child,
                                    DiskCache& handover) {
  for (size_t i = 0; i < ds.size(); ++i) {
    if (!claim(claims, i)) continue;
    try {
      if (!child || &handover == disk_.get()) {
        (void)run_unthrottled(ds[i]);  // kept in memory, and filed in the disk cache if there is one
        continue;
      }
      const KernelDescriptor sim_d = without_launch_only_params(ds[i]);
      store_exact(handover, result_key(sim_d), run_concurrent({StreamRequest{{sim_d}, {}}})[0][0]);
    } catch (const std::exception&) {
    }
  }
}

// A child's result into memory, or, if it never arrived, simulated here.
void GpuSimulator::collect(const KernelDescriptor& d, DiskCache& handover) {
  const KernelDescriptor sim_d = without_launch_only_params(d);
  if (unthrottled_.count(memory_key(sim_d))) return;
  if (&handover != disk_.get()) {
    if (auto payload = handover.find(result_key(sim_d))) {
      try {
        unthrottled_.emplace(memory_key(sim_d), KernelResult::from_json(nlohmann::json::parse(*payload)));
        return;
      } catch (const std::exception&) {
      }
    }
  }
  try {
    (void)run_unthrottled(d);  // reads the disk cache's entry, or simulates
  } catch (const std::exception&) {
  }
}

void GpuSimulator::prefetch(const std::vector<KernelDescriptor>& ds, int jobs) {
  std::vector<KernelDescriptor> todo;
  std::set<std::string> seen;
  for (const KernelDescriptor& d : ds) {
    const std::string key = memory_key(without_launch_only_params(d));
    if (!unthrottled_.count(key) && seen.insert(key).second) todo.push_back(d);
  }
  if (jobs < 2 || todo.size() < 2 || !cacheable_) return;  // run_unthrottled() simulates them in turn
  // The longest first, so that the processes finish together.
  std::vector<std::pair<double, size_t>> order;
  for (size_t i = 0; i < todo.size(); ++i) order.emplace_back(-cost_estimate(todo[i]), i);
  std::stable_sort(order.begin(), order.end());
  std::vector<KernelDescriptor> sorted;
  for (const auto& [cost, i] : order) sorted.push_back(todo[i]);
  todo = std::move(sorted);
  ScratchDir claims, scratch;
  if (claims.path.empty() || scratch.path.empty()) return;
  std::unique_ptr<DiskCache> own;
  DiskCache* handover = disk_.get();
  if (!handover) {
    own = std::make_unique<DiskCache>(DiskCacheOptions{scratch.path, std::string(simulator_version()), 1LL << 40});
    if (!own->usable()) return;
    handover = own.get();
  }
  std::vector<pid_t> children;
  std::vector<std::unique_ptr<ChildGuard>> guards;  // an interrupt stops them (and they remove their temporaries)
  for (int j = 1; j < jobs; ++j) {
    std::fflush(nullptr);
    const InterruptDeferral forking;  // the child is registered before an interrupt looks
    const pid_t pid = ::fork();
    if (pid == 0) {
      install_interrupt_cleanup_in_child();
      simulate_claimed(todo, claims.path, true, *handover);
      std::fflush(nullptr);
      ::_exit(0);
    }
    if (pid > 0) {
      children.push_back(pid);
      guards.push_back(std::make_unique<ChildGuard>(pid));
    }
  }
  simulate_claimed(todo, claims.path, false, *handover);
  for (const pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  for (const KernelDescriptor& d : todo) collect(d, *handover);
}

}  // namespace hwsim
