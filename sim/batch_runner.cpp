#include "sim/batch_runner.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "models/io/interrupt_cleanup.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// Runs in the child: simulates the batch's kernels from `first` on and
// appends one line per kernel to `out` as soon as it is known, a JSON object
// {"time_us"} or {"error"} (and "detail"), so that the parent sees progress
// and keeps what was done if the child is stopped.
void run_child(const ConfigBatch& batch, const PredictorFactory& factory, size_t first, const fs::path& out) {
  std::FILE* file = std::fopen(out.c_str(), "w");
  if (file == nullptr) return;  // the parent reports the missing results
  std::unique_ptr<KernelPredictor> predictor;
  std::string load_error;
  try {
    predictor = factory(load_gpu(batch.gpu, batch.overrides, batch.overlays));
  } catch (const std::exception& e) {
    load_error = e.what();
  }
  std::map<std::string, nlohmann::json> cache;  // identical kernels run once
  for (size_t i = first; i < batch.kernels.size(); ++i) {
    const KernelRequest& k = batch.kernels[i];
    const std::string key = k.kind + " " + k.params.dump();
    auto it = cache.find(key);
    if (it == cache.end()) {
      nlohmann::json r = nlohmann::json::object();
      if (!predictor) {
        r["error"] = load_error;
      } else {
        try {
          const Prediction p = predictor->predict(k.kind, k.params);
          if (p.time_us)
            r["time_us"] = *p.time_us;
          else
            r["error"] = p.error.empty() ? "the model gave no time" : p.error;
          if (!p.detail.empty()) r["detail"] = p.detail;
        } catch (const std::exception& e) {
          r["error"] = e.what();
        }
      }
      it = cache.emplace(key, r).first;
    }
    const std::string line = it->second.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), file);
    std::fflush(file);
  }
  std::fclose(file);
}

using Clock = std::chrono::steady_clock;

// A child simulating batch `batch` from kernel `first` on.
struct Child {
  pid_t pid;
  size_t batch;
  size_t first;
  fs::path out;
  size_t done = 0;                    // results read back so far
  std::streamoff read_to = 0;         // bytes of `out` read back so far
  Clock::time_point since;            // when it started or last reported a result
  std::shared_ptr<ChildGuard> guard;  // registered while it runs
};

}  // namespace

std::vector<std::vector<Prediction>> run_batches(const std::vector<ConfigBatch>& batches,
                                                 const PredictorFactory& factory, int jobs,
                                                 double max_seconds_per_kernel) {
  std::vector<std::vector<Prediction>> result(batches.size());
  const fs::path dir = fs::temp_directory_path() / fmt::format("hwsim_batches_{}", ::getpid());
  std::optional<InterruptDeferral> creating(std::in_place);  // registered and created before an interrupt looks
  const TempPathGuard dir_guard(dir);                        // an interrupt removes the folder and stops the children
  fs::create_directories(dir);
  creating.reset();
  std::deque<std::pair<size_t, size_t>> pending;  // (batch, first kernel) still to start
  for (size_t b = 0; b < batches.size(); ++b) {
    result[b].assign(batches[b].kernels.size(), Prediction{});
    if (!batches[b].kernels.empty()) pending.emplace_back(b, 0);
  }
  std::list<Child> running;
  size_t started = 0;
  const auto spawn = [&](size_t b, size_t first) {
    const fs::path out = dir / fmt::format("child{}.jsonl", started++);
    std::fflush(nullptr);
    const InterruptDeferral forking;  // the child is registered before an interrupt looks
    const pid_t pid = ::fork();
    if (pid < 0) throw Error("cannot start a simulation process (fork failed)");
    if (pid == 0) {
      install_interrupt_cleanup_in_child();
      int code = 0;
      try {
        run_child(batches[b], factory, first, out);
      } catch (...) {
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    running.push_back({pid, b, first, out, 0, 0, Clock::now(), std::make_shared<ChildGuard>(pid)});
  };
  // Reads the complete lines the child has written since the last call;
  // returns false for a line that is not a result (the child is then treated
  // as crashed for the kernels after the last good one).
  const auto collect = [&](Child& c) {
    std::ifstream in(c.out);
    in.seekg(c.read_to);
    std::string line;
    auto& preds = result[c.batch];
    while (std::getline(in, line)) {
      if (in.eof()) break;  // no '\n' yet: the line is still being written
      c.read_to += static_cast<std::streamoff>(line.size() + 1);
      const size_t k = c.first + c.done;
      const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
      if (k >= preds.size() || !parsed.is_object() ||
          !(parsed.contains("time_us") ? parsed["time_us"].is_number()
                                       : parsed.value("error", nlohmann::json()).is_string())) {
        return false;
      }
      if (parsed.contains("time_us"))
        preds[k].time_us = parsed["time_us"].get<double>();
      else
        preds[k].error = parsed["error"].get<std::string>();
      if (parsed.contains("detail")) preds[k].detail = parsed["detail"];
      ++c.done;
      c.since = Clock::now();
    }
    return true;
  };
  const auto mark_crashed = [&](const Child& c, int status) {
    const std::string why = WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                                : fmt::format("exit status {}", WEXITSTATUS(status));
    auto& preds = result[c.batch];
    for (size_t k = c.first + c.done; k < preds.size(); ++k) {
      preds[k].error = fmt::format("the simulation of {} crashed ({})", batches[c.batch].gpu, why);
      preds[k].crashed = true;
    }
  };
  const auto limit = std::chrono::duration<double>(max_seconds_per_kernel);
  while (!pending.empty() || !running.empty()) {
    while (static_cast<int>(running.size()) < std::max(1, jobs) && !pending.empty()) {
      spawn(pending.front().first, pending.front().second);
      pending.pop_front();
    }
    bool changed = false;
    for (auto it = running.begin(); it != running.end();) {
      Child& c = *it;
      int status = 0;
      const size_t before = c.done;
      const pid_t waited = ::waitpid(c.pid, &status, WNOHANG);
      const bool good = collect(c);
      changed = changed || c.done != before;
      if (waited == c.pid || !good) {
        if (waited != c.pid) {
          ::kill(c.pid, SIGKILL);
          ::waitpid(c.pid, &status, 0);
        }
        const bool complete = good && c.first + c.done == result[c.batch].size();
        if (!complete || !WIFEXITED(status) || WEXITSTATUS(status) != 0) mark_crashed(c, status);
        it = running.erase(it);
        changed = true;
        continue;
      }
      if (max_seconds_per_kernel > 0 && Clock::now() - c.since > limit) {
        ::kill(c.pid, SIGKILL);
        ::waitpid(c.pid, &status, 0);
        collect(c);
        const size_t k = c.first + c.done;
        if (k < result[c.batch].size()) {
          Prediction& p = result[c.batch][k];
          p = Prediction{};
          p.error = fmt::format("timed out: its simulation ran longer than {} s", max_seconds_per_kernel);
          p.timed_out = true;
          if (k + 1 < result[c.batch].size()) pending.emplace_front(c.batch, k + 1);
        }
        it = running.erase(it);
        changed = true;
        continue;
      }
      ++it;
    }
    if (!changed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return result;
}

}  // namespace hwsim
