#include "apps/hwsim/sweep/sweep_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "models/io/atomic_file.hpp"
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

std::string self_exe() {
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
  for (const Axis& a : s.axes) axes.push_back(a.key);
  const nlohmann::json manifest = {{"hwsim_sweep", 1},
                                   {"gpu", s.gpu},
                                   {"workload", s.kernel.empty() ? "deepseek-v3-layer" : s.kernel},
                                   {"axes", axes},
                                   {"sampling", s.method},
                                   {"seed", s.seed},
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
  std::map<pid_t, std::pair<const Planned*, Clock::time_point>> running;
  const auto start = Clock::now();
  size_t next = 0;
  int finished = 0, failed = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < o.jobs) {
      const Planned& p = *todo[next++];
      const fs::path pd = o.dir / "points" / p.hash;
      std::vector<std::string> args = {"hwsim", "run"};
      for (const auto& a : p.spec["hwsim_run"]) args.push_back(a.get<std::string>());
      args.insert(args.end(), {"--out", (pd / "result.json").string()});
      args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
      fs::remove(pd / "result.json");
      running[spawn(exe, args, pd / "log.txt")] = {&p, Clock::now()};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const double wall = std::chrono::duration<double>(Clock::now() - it->second.second).count();
    finish_point(*it->second.first, o.dir, status, wall);
    failed += status_of(o.dir / "points" / it->second.first->hash) == "failed";
    running.erase(it);
    print_progress(++finished, static_cast<int>(todo.size()), failed, start);
  }
}

// The outputs kept of a point's result: a kernel's time and clock; the layer's
// total and phases.
std::vector<std::string> output_names(const SweepSpec& s) {
  if (!s.kernel.empty()) return {"time_us", "sm_clock_mhz"};
  return {"total_us", "forward_us", "backward_input_us", "backward_weight_us"};
}

nlohmann::json outputs_of(const SweepSpec& s, const nlohmann::json& r) {
  if (!s.kernel.empty()) return {{"time_us", r.at("time_us")}, {"sm_clock_mhz", r.at("sm_clock_mhz")}};
  nlohmann::json o = {{"total_us", r.at("total_us")}};
  for (const char* ph : {"forward", "backward_input", "backward_weight"})
    o[std::string(ph) + "_us"] = r.at("phases").value(ph, 0.0);
  return o;
}

void write_tables(const SweepSpec& s, const std::vector<Planned>& planned, const fs::path& dir) {
  const std::vector<std::string> outs = output_names(s);
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
        if (a.target == AxisTarget::kSpec) sets.push_back(a.key + "=" + format_value(a, p.values[i]));
        if (a.target == AxisTarget::kParam) params[a.key.substr(6)] = static_cast<std::int64_t>(p.values[i]);
      }
      load_gpu(s.gpu, sets);
      if (!s.kernel.empty()) find_kernel_def(s.kernel).work({s.kernel, params});
    } catch (const Error& e) {
      throw Error(fmt::format("{}: point {} ({}): {}", s.file, p.index, describe(s, p), e.what()));
    }
  }
}

SweepCounts run_sweep(const SweepSpec& s, const RunOptions& o) {
  const std::vector<SweepPoint> points = expand(s);
  check_points(s, points);
  const std::vector<Planned> planned = plan(s, points);
  write_manifest(s, planned, o.dir);
  std::vector<const Planned*> todo;
  for (const Planned& p : planned) {
    const std::string st = status_of(o.dir / "points" / p.hash);
    if (st == "pending" || (st == "failed" && o.retry_failed)) todo.push_back(&p);
  }
  run_points(todo, o);
  write_tables(s, planned, o.dir);
  return sweep_status(o.dir);
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
