// hwsim bench: simulator speed on a fixed set of kernels: wall time per
// simulated kernel, simulated kernels per second and the process's peak
// resident memory; then the workloads a user explores with (one DeepSeek-V3
// layer, the training step, the whole study), each run as its command would
// be, cold (a fresh result cache), in a child process. Numbers are recorded
// in docs/performance.md; tests never assert wall-clock time.
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <system_error>
#include <vector>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "models/io/atomic_file.hpp"
#include "models/io/interrupt_cleanup.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {
namespace {

struct BenchCase {
  const char* label;
  KernelDescriptor d;
  bool heavy;  // skipped by --quick
};

std::vector<BenchCase> bench_cases() {
  using nlohmann::json;
  auto gemm = [](int m, int n, int k, const char* ab, const char* scaling, bool fast) {
    return KernelDescriptor{"gemm", json{{"m", m},
                                         {"n", n},
                                         {"k", k},
                                         {"a_dtype", ab},
                                         {"b_dtype", ab},
                                         {"out_dtype", "bf16"},
                                         {"scaling", scaling},
                                         {"fast_accum", fast}}};
  };
  return {
      {"gemm fp8 block 4096x7168x2048", gemm(4096, 7168, 2048, "fp8_e4m3", "block_1x128_128x128", false), false},
      {"gemm fp8 per-tensor fast 4096x7168x2048", gemm(4096, 7168, 2048, "fp8_e4m3", "per_tensor", true), false},
      {"gemm bf16 8192^3", gemm(8192, 8192, 8192, "bf16", "none", false), false},
      {"gemm bf16 16384^3", gemm(16384, 16384, 16384, "bf16", "none", false), true},
      {"memcpy 1 GiB", {"memcpy", json{{"bytes", 1LL << 30}}}, false},
      {"quant_1x128 4096x7168", {"quant_1x128", json{{"m", 4096}, {"k", 7168}}}, false},
      {"transpose_requant 4096x7168", {"transpose_requant", json{{"m", 4096}, {"k", 7168}}}, false},
      {"rmsnorm 4096x7168", {"rmsnorm", json{{"m", 4096}, {"n", 7168}}}, false},
      {"swiglu 4096x2048", {"swiglu", json{{"m", 4096}, {"n", 2048}}}, false},
  };
}

// CPU time of this process: unlike wall time it does not grow when other
// work shares the machine.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// A workload entry: a command line of hwsim, run cold in a child process.
struct WorkloadCase {
  const char* label;
  std::vector<std::string> argv;  // after the command name
  Command (*command)();
  bool heavy;  // skipped by --quick
};

std::vector<WorkloadCase> workload_cases(const std::string& gpu) {
  return {{"deepseek-v3 layer (hwsim run --workload)",
           {"--workload", "deepseek-v3-layer", "--gpu", gpu},
           run_command,
           false},
          {"training step (hwsim step)", {"--gpu", gpu}, step_command, true},
          {"study --all (hwsim study)", {"--all", "--gpu", gpu}, study_command, true}};
}

struct Usage {
  double wall = 0, cpu = 0, peak_rss_mb = 0;
  int status = 0;
};

double cpu_of(const rusage& u) {
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Runs the command in a child with its output discarded and a fresh result
// cache; CPU and peak memory count the child and every process it waited for.
Usage run_workload(const WorkloadCase& w) {
  // An interrupt stops the child and removes its cache folder (both were once left behind: an orphan that ran
  // the workload to its end and an hwsim-bench-* folder in TMPDIR).
  std::optional<InterruptDeferral> creating(std::in_place);
  std::string templ = (std::filesystem::temp_directory_path() / "hwsim-bench-XXXXXX").string();
  const std::string cache = ::mkdtemp(templ.data()) ? templ : "";
  std::optional<TempPathGuard> cache_guard;
  if (!cache.empty()) cache_guard.emplace(cache);
  creating.reset();
  std::vector<std::string> argv = w.argv;
  if (cache.empty())
    argv.push_back("--no-cache");
  else
    argv.insert(argv.end(), {"--cache", cache});
  if (w.command == study_command) argv.insert(argv.end(), {"--out", cache + "/study"});
  rusage before{}, after{};
  getrusage(RUSAGE_CHILDREN, &before);
  const auto t0 = std::chrono::steady_clock::now();
  std::fflush(nullptr);
  Usage u;
  std::optional<InterruptDeferral> forking(std::in_place);
  const pid_t pid = ::fork();
  if (pid == 0) {
    install_interrupt_cleanup_in_child();
    const int null_fd = ::open("/dev/null", O_WRONLY);
    if (null_fd >= 0) ::dup2(null_fd, 1);
    int rc = 1;
    try {
      const Command c = w.command();
      rc = c.run(parse(c, argv));
    } catch (const std::exception& e) {
      fmt::print(stderr, "hwsim: bench: {}: {}\n", w.label, e.what());
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  std::optional<ChildGuard> child_guard;
  if (pid > 0) child_guard.emplace(pid);
  forking.reset();
  if (pid > 0) ::waitpid(pid, &u.status, 0);
  child_guard.reset();
  u.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  getrusage(RUSAGE_CHILDREN, &after);
  u.cpu = cpu_of(after) - cpu_of(before);
  u.peak_rss_mb = static_cast<double>(after.ru_maxrss) / 1024.0;  // the largest descendant so far
  std::error_code ec;
  if (!cache.empty()) std::filesystem::remove_all(cache, ec);
  return u;
}

}  // namespace

Command bench_command() {
  Command c;
  c.name = "bench";
  c.summary = "measure simulator speed on a fixed set of kernels";
  c.description =
      "Simulates a fixed set of kernels once each (after one warm-up of the first) and reports wall time per\n"
      "kernel, simulated kernels per second and peak resident memory; then runs one DeepSeek-V3 layer, the\n"
      "training step and the whole study (--all) as their commands would, each cold (a fresh result cache) in\n"
      "a child process, and reports their wall time, CPU time (all their processes) and peak memory.";
  c.options = {gpu_option(),
               set_option(),
               {"quick", "", "skip the 16384^3 GEMM, the training step and the study", ""},
               {"kernels-only", "", "skip the workloads (layer, step, study)", ""},
               {"only", "TEXT", "run only cases whose label contains TEXT", ""},
               {"json", "FILE", "write the measurements as JSON to FILE", ""}};
  for (Option& o : cache_options(false)) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    const HardwareSpec spec = load_gpu(a.get("gpu"), a.all("set"));
    GpuSimulator sim(spec, {}, result_cache_options(a, false));
    nlohmann::json rows = nlohmann::json::array();
    double total_wall = 0;
    int count = 0;
    double total_cpu = 0;
    fmt::print("{:<42} {:>12} {:>10} {:>10} {:>8}\n", "kernel", "simulated us", "wall s", "CPU s", "RSS MB");
    for (const BenchCase& bc : bench_cases()) {
      if (bc.heavy && a.has("quick")) continue;
      if (auto only = a.maybe("only"); only && std::string(bc.label).find(*only) == std::string::npos) continue;
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_seconds();
      const KernelResult r = sim.run(bc.d);
      const double cpu = cpu_seconds() - c0;
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      total_wall += wall;
      total_cpu += cpu;
      ++count;
      const double rss = peak_rss_mb();
      fmt::print("{:<42} {:>12.2f} {:>10.3f} {:>10.3f} {:>8.0f}\n", bc.label, r.time_us, wall, cpu, rss);
      rows.push_back(
          {{"kernel", bc.label}, {"simulated_us", r.time_us}, {"wall_s", wall}, {"cpu_s", cpu}, {"peak_rss_mb", rss}});
    }
    if (count > 0) {
      fmt::print("{} kernels in {:.3f} s wall, {:.3f} s CPU: {:.2f} simulated kernels per CPU second\n", count,
                 total_wall, total_cpu, count / total_cpu);
    }
    nlohmann::json workloads = nlohmann::json::array();
    for (const WorkloadCase& w : workload_cases(a.get("gpu"))) {
      if ((w.heavy && a.has("quick")) || a.has("kernels-only")) continue;
      if (auto only = a.maybe("only"); only && std::string(w.label).find(*only) == std::string::npos) continue;
      const Usage u = run_workload(w);
      const bool ok = WIFEXITED(u.status) && WEXITSTATUS(u.status) == 0;
      fmt::print("{:<42} {:>12} {:>10.3f} {:>10.3f} {:>8.0f}{}\n", w.label, "cold", u.wall, u.cpu, u.peak_rss_mb,
                 ok ? "" : "  (failed)");
      workloads.push_back(
          {{"workload", w.label}, {"wall_s", u.wall}, {"cpu_s", u.cpu}, {"peak_rss_mb", u.peak_rss_mb}, {"ok", ok}});
    }
    if (auto out = a.maybe("json")) {
      write_file_atomic(*out, nlohmann::json{{"gpu", spec.name},
                                             {"cases", rows},
                                             {"kernels_per_cpu_s", count > 0 ? count / total_cpu : 0.0},
                                             {"workloads", workloads}}
                                      .dump(2) +
                                  "\n");
    }
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
