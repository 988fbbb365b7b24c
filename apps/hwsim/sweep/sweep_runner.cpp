#include "apps/hwsim/sweep/sweep_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "models/io/atomic_file.hpp"
#include "models/io/interrupt_cleanup.hpp"
#include "models/io/sha256.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/kernel_descriptor.hpp"
#include "workloads/simulator_version.hpp"

namespace hwsim::sweep {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

struct Planned {
  SweepPoint point;
  nlohmann::json spec;
  std::string hash;
};

std::vector<Planned> plan(const SweepSpec& s, const std::vector<SweepPoint>& points) {
  std::vector<Planned> out;
  for (const SweepPoint& p : points) {
    nlohmann::json spec = point_spec(s, p, simulator_version());
    out.push_back({p, spec, sha256_hex(spec.dump()).substr(0, 20)});
  }
  return out;
}

std::string describe(const SweepSpec& s, const SweepPoint& p) {
  std::string d;
  for (size_t i = 0; i < s.axes.size(); ++i)
    d += fmt::format("{}{}={}", i ? ", " : "", s.axes[i].key, format_value(s.axes[i], p.values[i]));
  return d;
}

nlohmann::json read_json(const fs::path& f) {
  std::ifstream in(f);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return nullptr;  // a file cut short by a crash counts as absent
  }
}

std::string status_of(const fs::path& point_dir) {
  const nlohmann::json st = read_json(point_dir / "status.json");
  return st.is_object() && st.contains("status") ? st["status"].get<std::string>() : "pending";
}

// The last non-empty line of a point's log: the error `hwsim run` printed.
std::string last_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last.empty() ? "no output" : last;
}

// The hwsim executable the points run: $HWSIM_EXECUTABLE when set (the Python
// package sets it: there this process is the interpreter), else this one.
std::string self_exe() {
  if (const char* exe = std::getenv("HWSIM_EXECUTABLE"); exe != nullptr && *exe != '\0') return exe;
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("hwsim sweep: cannot find its own executable to run the points");
  return p.string();
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("hwsim sweep: cannot start a point (fork failed)");
  if (pid > 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(exe.c_str(), argv.data());
  _exit(127);
}

// On a terminal one line rewritten in place; otherwise a line at most every
// 2 s and at the end, so a log of a long sweep stays readable.
void print_progress(int finished, int total, int failed, Clock::time_point start) {
  static Clock::time_point last{};
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  if (!tty && finished < total && Clock::now() - last < std::chrono::seconds(2)) return;
  last = Clock::now();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double eta = finished > 0 ? elapsed / finished * (total - finished) : 0;
  fmt::print("{}sweep: {}/{} run, {} failed, {:.0f} s elapsed, ETA {:.0f} s{}", tty ? "\r" : "", finished, total,
             failed, elapsed, eta, tty && finished < total ? "" : "\n");
  std::fflush(stdout);
}

// sweep.json names the sweep's points; a folder holding another sweep's is refused.
void write_manifest(const SweepSpec& s, const std::vector<Planned>& planned, const fs::path& dir) {
  nlohmann::json points = nlohmann::json::array();
  for (const Planned& p : planned)
    points.push_back({{"index", p.point.index}, {"hash", p.hash}, {"axes", p.spec["axes"]}});
  nlohmann::json axes = nlohmann::json::array();
  for (const Axis& a : s.axes) {
    axes.push_back({{"key", a.key}, {"integer", a.integer}});
    if (!a.labels.empty()) axes.back()["labels"] = a.labels;
  }
  const nlohmann::json manifest = {{"hwsim_sweep", 1},
                                   {"gpu", s.gpu},
                                   {"workload", workload_name(s)},
                                   {"axes", axes},
                                   {"outputs", s.outputs},
                                   {"sampling", s.sampling.method},
                                   {"seed", s.sampling.seed},
                                   {"simulator", simulator_version()},
                                   {"points", points}};
  const nlohmann::json old = read_json(dir / "sweep.json");
  if (!old.is_null() && old.value("points", nlohmann::json()) != points)
    throw Error(fmt::format("{}: holds another sweep's points (sweep.json differs); give a new --out", dir.string()));
  for (const Planned& p : planned) {
    const fs::path f = dir / "points" / p.hash / "spec.json";
    if (!fs::exists(f)) write_file_atomic(f, p.spec.dump(2) + "\n");
  }
  write_file_atomic(dir / "sweep.json", manifest.dump(2) + "\n");
}

void finish_point(const Planned& p, const fs::path& dir, int status, double wall) {
  const fs::path pd = dir / "points" / p.hash;
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && read_json(pd / "result.json").is_object();
  nlohmann::json st = {{"status", ok ? "ok" : "failed"}, {"wall_s", wall}};
  if (!ok) {
    st["error"] = WIFSIGNALED(status) ? fmt::format("the point's process was killed by signal {}", WTERMSIG(status))
                                      : last_line(pd / "log.txt");
  }
  write_file_atomic(pd / "status.json", st.dump(2) + "\n");
}

// Up to o.jobs points at once, each `hwsim run` in a child process.
void run_points(const std::vector<const Planned*>& todo, const RunOptions& o) {
  if (todo.empty()) return;
  const std::string exe = self_exe();
  struct Running {
    const Planned* point;
    Clock::time_point start;
    std::unique_ptr<ChildGuard> guard;  // an interrupt stops the point's `hwsim run` (it removes its own temporaries)
  };
  std::map<pid_t, Running> running;
  const auto start = Clock::now();
  size_t next = 0;
  int finished = 0, failed = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
      const Planned& p = *todo[next++];
      const fs::path pd = o.dir / "points" / p.hash;
      // A step point runs `hwsim step`, which writes its JSON with --json; the others `hwsim run --out`.
      const bool step = p.spec.contains("hwsim_step");
      std::vector<std::string> args = {"hwsim", step ? "step" : "run"};
      for (const auto& a : p.spec[step ? "hwsim_step" : "hwsim_run"]) args.push_back(a.get<std::string>());
      args.insert(args.end(), {step ? "--json" : "--out", (pd / "result.json").string()});
      args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
      fs::remove(pd / "result.json");
      const InterruptDeferral forking;  // the point's process is registered before an interrupt looks
      const pid_t pid = spawn(exe, args, pd / "log.txt");
      running[pid] = {&p, Clock::now(), std::make_unique<ChildGuard>(pid)};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const double wall = std::chrono::duration<double>(Clock::now() - it->second.start).count();
    finish_point(*it->second.point, o.dir, status, wall);
    failed += status_of(o.dir / "points" / it->second.point->hash) == "failed";
    running.erase(it);
    print_progress(++finished, static_cast<int>(todo.size()), failed, start);
  }
}

// The outputs kept of a point's result (SweepSpec::outputs, in its order).
nlohmann::json outputs_of(const SweepSpec& s, const nlohmann::json& r) {
  nlohmann::json all;
  if (s.step) {
    all = {{"step_s", r.at("step_s")},
           {"bubble_s", r.at("breakdown_s").at("bubble")},
           {"tokens_per_gpu_s", r.at("tokens_per_gpu_s")},
           {"mfu", r.at("mfu")},
           {"dispatch_us", r.at("dispatch").at("time_us")},
           {"combine_us", r.at("combine").at("time_us")}};
  } else if (!s.kernel.empty()) {
    all = {{"time_us", r.at("time_us")}, {"sm_clock_mhz", r.at("sm_clock_mhz")}};
  } else {
    all = {{"total_us", r.at("total_us")}};
    for (const char* ph : {"forward", "backward_input", "backward_weight"})
      all[std::string(ph) + "_us"] = r.at("phases_us").value(ph, 0.0);
  }
  if (r.contains("fp8_gemm_error")) {
    all["fp8_max_rel_error"] = r["fp8_gemm_error"].at("max_rel");
    all["fp8_mean_rel_error"] = r["fp8_gemm_error"].at("mean_rel");
  }
  nlohmann::json o = nlohmann::json::object();
  for (const auto& name : s.outputs) o[name] = all.at(name);
  return o;
}

void write_tables(const SweepSpec& s, const std::vector<Planned>& planned, const fs::path& dir) {
  const std::vector<std::string>& outs = s.outputs;
  std::string csv = "index,hash,status";
  for (const Axis& a : s.axes) csv += "," + a.key;
  for (const auto& n : outs) csv += "," + n;
  csv += "\n";
  std::string jsonl, timing = "index,hash,wall_s\n";
  for (const Planned& p : planned) {
    const fs::path pd = dir / "points" / p.hash;
    const nlohmann::json st = read_json(pd / "status.json");
    const std::string status = st.is_object() ? st.value("status", "pending") : "pending";
    nlohmann::json row = {{"index", p.point.index}, {"hash", p.hash}, {"status", status}, {"axes", p.spec["axes"]}};
    csv += fmt::format("{},{},{}", p.point.index, p.hash, status);
    for (size_t i = 0; i < s.axes.size(); ++i) csv += fmt::format(",{}", format_value(s.axes[i], p.point.values[i]));
    nlohmann::json o;
    if (status == "ok") o = outputs_of(s, read_json(pd / "result.json"));
    for (const auto& n : outs) csv += fmt::format(",{}", o.is_object() ? o[n].dump() : std::string());
    csv += "\n";
    if (o.is_object()) row["outputs"] = o;
    if (status == "failed") row["error"] = st.value("error", "");
    jsonl += row.dump() + "\n";
    if (st.is_object()) timing += fmt::format("{},{},{:.3f}\n", p.point.index, p.hash, st.value("wall_s", 0.0));
  }
  write_file_atomic(dir / "results.csv", csv);
  write_file_atomic(dir / "results.jsonl", jsonl);
  write_file_atomic(dir / "timing.csv", timing);
}

}  // namespace

void check_points(const SweepSpec& s, const std::vector<SweepPoint>& points) {
  for (const SweepPoint& p : points) {
    try {
      std::vector<std::string> sets = s.overrides;
      nlohmann::json params = s.params;
      for (size_t i = 0; i < s.axes.size(); ++i) {
        const Axis& a = s.axes[i];
        if (a.target == AxisTarget::kSpec) sets.push_back(spec_override(a, p.values[i]));
        if (a.target == AxisTarget::kParam) params[a.key.substr(6)] = static_cast<std::int64_t>(p.values[i]);
      }
      load_gpu(s.gpu, sets);
      if (!s.kernel.empty()) find_kernel_def(s.kernel).work({s.kernel, params});
    } catch (const Error& e) {
      throw Error(fmt::format("{}: point {} ({}): {}", s.file, p.index, describe(s, p), e.what()));
    }
  }
}

namespace {

const char* const kNoSbatch =
    "--backend slurm: sbatch is not on PATH; install Slurm (Debian: apt-get install slurm-wlm munge) or run the "
    "sweep with --backend local";

std::string find_on_path(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string d;
  while (std::getline(dirs, d, ':'))
    if (!d.empty() && ::access((fs::path(d) / tool).c_str(), X_OK) == 0) return (fs::path(d) / tool).string();
  return "";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q.append("'\\''");
    else
      q.push_back(c);
  }
  q.push_back('\'');
  return q;
}

// The array's tasks (hashes of the points each runs) and the script each runs.
fs::path write_batch(const std::vector<const Planned*>& todo, const RunOptions& o, int& tasks) {
  int n = 1;
  while (fs::exists(o.dir / "slurm" / fmt::format("batch-{}", n))) ++n;
  const fs::path b = fs::absolute(o.dir / "slurm" / fmt::format("batch-{}", n));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < todo.size(); i += static_cast<size_t>(o.slurm.points_per_task)) {
    nlohmann::json chunk = nlohmann::json::array();
    for (size_t j = i; j < std::min(todo.size(), i + static_cast<size_t>(o.slurm.points_per_task)); ++j)
      chunk.push_back(todo[j]->hash);
    list.push_back(chunk);
  }
  tasks = static_cast<int>(list.size());
  write_file_atomic(b / "tasks.json", list.dump(1) + "\n");
  std::string script = fmt::format(
      "#!/bin/sh\n# One task of a hwsim sweep's Slurm job array.\nexec {} sweep exec {} --batch {} --task "
      "\"$SLURM_ARRAY_TASK_ID\"",
      shell_quote(self_exe()), shell_quote(fs::absolute(o.dir).string()), b.filename().string());
  for (const auto& a : o.extra_args) script += fmt::format(" {}", shell_quote(a));
  write_file_atomic(b / "job.sh", script + "\n");
  fs::permissions(b / "job.sh", fs::perms::owner_exec, fs::perm_options::add);
  return b;
}

// Submits the pending points as one job array; true when it waited for them.
bool submit_slurm(const std::vector<const Planned*>& todo, const RunOptions& o) {
  if (todo.empty()) return true;
  const std::string sbatch = find_on_path("sbatch");
  if (sbatch.empty()) throw Error(kNoSbatch);
  int tasks = 0;
  const fs::path b = write_batch(todo, o, tasks);
  std::vector<std::string> args = {
      "sbatch",
      "--parsable",
      "--job-name",
      "hwsim-sweep",
      fmt::format("--array=0-{}{}", tasks - 1, o.slurm.concurrency > 0 ? fmt::format("%{}", o.slurm.concurrency) : ""),
      "--output",
      (b / "task_%a.log").string()};
  if (!o.slurm.partition.empty()) args.insert(args.end(), {"--partition", o.slurm.partition});
  if (!o.slurm.account.empty()) args.insert(args.end(), {"--account", o.slurm.account});
  if (!o.slurm.time.empty()) args.insert(args.end(), {"--time", o.slurm.time});
  if (o.slurm.wait) args.push_back("--wait");
  args.push_back((b / "job.sh").string());
  fmt::print("sweep: submitting {} points as {} Slurm array tasks ({})\n", todo.size(), tasks, b.string());
  std::fflush(stdout);
  int status = 0;
  {
    std::optional<InterruptDeferral> forking(std::in_place);  // sbatch is registered before an interrupt looks
    const pid_t pid = spawn(sbatch, args, b / "sbatch.log");
    const ChildGuard guard(pid);  // an interrupt stops sbatch
    forking.reset();
    ::waitpid(pid, &status, 0);
  }
  const std::string said = last_line(b / "sbatch.log");
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && !o.slurm.wait))
    throw Error(fmt::format("sbatch failed: {}", said));
  if (!o.slurm.wait) {
    fmt::print("sweep: submitted job {}; run `hwsim sweep collect {}` once it has finished\n", said, o.dir.string());
    return false;
  }
  return true;
}

// A point's recorded value of axis `a`: a number, or a label's index.
double axis_value(const Axis& a, const nlohmann::json& v) {
  if (a.labels.empty()) return v.get<double>();
  const auto it = std::find(a.labels.begin(), a.labels.end(), v.get<std::string>());
  if (it == a.labels.end()) throw Error(fmt::format("sweep.json: {} has no value {}", a.key, v.dump()));
  return static_cast<double>(it - a.labels.begin());
}

// The sweep as DIR records it: enough of its spec to write the tables, and its points.
std::pair<SweepSpec, std::vector<Planned>> load_sweep(const fs::path& dir) {
  const nlohmann::json m = read_json(dir / "sweep.json");
  if (!m.is_object() || !m.contains("points") || !m.contains("axes"))
    throw Error(fmt::format("{}: not a sweep folder (no readable sweep.json)", dir.string()));
  SweepSpec s;
  const std::string workload = m.value("workload", "");
  s.step = workload == "deepseek-v3-step";
  s.kernel = workload == "deepseek-v3-layer" || s.step ? "" : workload;
  for (const auto& a : m["axes"]) {
    Axis axis;
    axis.key = a.at("key").get<std::string>();
    axis.integer = a.at("integer").get<bool>();
    if (a.contains("labels")) axis.labels = a["labels"].get<std::vector<std::string>>();
    s.axes.push_back(std::move(axis));
  }
  s.outputs = m.contains("outputs") ? m["outputs"].get<std::vector<std::string>>() : available_outputs(s);
  std::vector<Planned> planned;
  for (const auto& p : m["points"]) {
    SweepPoint pt{p.at("index").get<int>(), {}};
    for (const Axis& a : s.axes) pt.values.push_back(axis_value(a, p.at("axes").at(a.key)));
    const std::string hash = p.at("hash");
    planned.push_back({pt, read_json(dir / "points" / hash / "spec.json"), hash});
  }
  return {s, planned};
}

}  // namespace

SweepCounts run_sweep(const SweepSpec& s, const RunOptions& o) {
  if (o.backend == "slurm" && find_on_path("sbatch").empty()) throw Error(kNoSbatch);
  const std::vector<SweepPoint> points = expand(s);
  check_points(s, points);
  const std::vector<Planned> planned = plan(s, points);
  write_manifest(s, planned, o.dir);
  std::vector<const Planned*> todo;
  for (const Planned& p : planned) {
    const std::string st = status_of(o.dir / "points" / p.hash);
    if (st == "pending" || (st == "failed" && o.retry_failed)) todo.push_back(&p);
  }
  if (o.backend == "slurm") {
    if (!submit_slurm(todo, o)) return sweep_status(o.dir);
  } else {
    run_points(todo, o);
  }
  write_tables(s, planned, o.dir);
  return sweep_status(o.dir);
}

SweepCounts collect_sweep(const fs::path& dir) {
  const auto [s, planned] = load_sweep(dir);
  write_tables(s, planned, dir);
  return sweep_status(dir);
}

void exec_task(const fs::path& dir, const std::string& batch, int task, const std::vector<std::string>& extra_args) {
  const nlohmann::json tasks = read_json(dir / "slurm" / batch / "tasks.json");
  if (!tasks.is_array() || task < 0 || task >= static_cast<int>(tasks.size()))
    throw Error(fmt::format("{}: no task {} in slurm/{}/tasks.json", dir.string(), task, batch));
  const auto [s, planned] = load_sweep(dir);
  std::vector<const Planned*> todo;
  for (const auto& h : tasks[static_cast<size_t>(task)])
    for (const Planned& p : planned)
      if (p.hash == h) todo.push_back(&p);
  RunOptions o;
  o.dir = dir;
  o.jobs = 1;
  o.extra_args = extra_args;
  run_points(todo, o);
}

SweepCounts sweep_status(const fs::path& dir) {
  const nlohmann::json m = read_json(dir / "sweep.json");
  if (!m.is_object() || !m.contains("points"))
    throw Error(fmt::format("{}: not a sweep folder (no readable sweep.json)", dir.string()));
  SweepCounts c;
  for (const auto& p : m["points"]) {
    ++c.points;
    const std::string st = status_of(dir / "points" / p.at("hash").get<std::string>());
    c.done += st == "ok";
    c.failed += st == "failed";
    c.pending += st == "pending";
  }
  return c;
}

}  // namespace hwsim::sweep
