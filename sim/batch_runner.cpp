#include "sim/batch_runner.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "models/io/interrupt_cleanup.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// Runs in the child: simulates one batch and writes a JSON array of
// {"time_us"} or {"error"} objects, one per kernel, to `out`.
void run_child(const ConfigBatch& batch, const PredictorFactory& factory, const fs::path& out) {
  std::unique_ptr<KernelPredictor> predictor;
  std::string load_error;
  try {
    predictor = factory(load_gpu(batch.gpu, batch.overrides, batch.overlays));
  } catch (const std::exception& e) {
    load_error = e.what();
  }
  std::map<std::string, nlohmann::json> cache;  // identical kernels run once
  nlohmann::json results = nlohmann::json::array();
  for (const KernelRequest& k : batch.kernels) {
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
    results.push_back(it->second);
  }
  std::ofstream(out) << results.dump();
}

}  // namespace

std::vector<std::vector<Prediction>> run_batches(const std::vector<ConfigBatch>& batches,
                                                 const PredictorFactory& factory, int jobs) {
  std::vector<std::vector<Prediction>> result(batches.size());
  const fs::path dir = fs::temp_directory_path() / fmt::format("hwsim_batches_{}", ::getpid());
  const TempPathGuard dir_guard(dir);  // an interrupt removes the folder and stops the children
  fs::create_directories(dir);
  struct Child {
    pid_t pid;
    size_t batch;
    fs::path out;
    std::shared_ptr<ChildGuard> guard;  // registered while it runs
  };
  std::vector<Child> running;
  auto reap = [&](const Child& c) {
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    std::ifstream in(c.out);
    std::stringstream ss;
    ss << in.rdbuf();
    auto& preds = result[c.batch];
    preds.assign(batches[c.batch].kernels.size(), Prediction{});
    nlohmann::json parsed;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !ss.str().empty()) {
      parsed = nlohmann::json::parse(ss.str(), nullptr, false);
    }
    if (!parsed.is_array() || parsed.size() != preds.size()) {
      const std::string why = WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                                  : fmt::format("exit status {}", WEXITSTATUS(status));
      for (auto& p : preds) {
        p.error = fmt::format("the simulation of {} crashed ({})", batches[c.batch].gpu, why);
        p.crashed = true;
      }
      return;
    }
    for (size_t i = 0; i < preds.size(); ++i) {
      if (parsed[i].contains("time_us"))
        preds[i].time_us = parsed[i]["time_us"].get<double>();
      else
        preds[i].error = parsed[i]["error"].get<std::string>();
      if (parsed[i].contains("detail")) preds[i].detail = parsed[i]["detail"];
    }
  };
  for (size_t b = 0; b < batches.size(); ++b) {
    if (static_cast<int>(running.size()) >= std::max(1, jobs)) {
      reap(running.front());
      running.erase(running.begin());
    }
    const fs::path out = dir / fmt::format("batch{}.json", b);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error("cannot start a simulation process (fork failed)");
    if (pid == 0) {
      reset_signals_in_child();
      int code = 0;
      try {
        run_child(batches[b], factory, out);
      } catch (...) {
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    running.push_back({pid, b, out, std::make_shared<ChildGuard>(pid)});
  }
  for (const auto& c : running) reap(c);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return result;
}

}  // namespace hwsim
