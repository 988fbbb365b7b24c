#include "validate/compare/predictor.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// Simulates `indices` of `records` on `gpu` and writes a JSON array to `out`.
// Runs in the child process.
void run_child(const std::string& gpu, const std::vector<size_t>& indices, const std::vector<Record>& records,
               const PredictorFactory& factory, const PredictOptions& options, const fs::path& out) {
  nlohmann::json results = nlohmann::json::array();
  std::unique_ptr<KernelPredictor> predictor;
  std::string load_error;
  try {
    predictor = factory(load_gpu(gpu, options.overrides));
  } catch (const std::exception& e) {
    load_error = e.what();
  }
  for (size_t i : indices) {
    nlohmann::json r = {{"index", i}};
    if (!predictor) {
      r["error"] = load_error;
    } else {
      try {
        Prediction p = predictor->predict(records[i].kernel, records[i].params);
        if (p.time_us) r["time_us"] = *p.time_us;
        else r["error"] = p.error.empty() ? "the model gave no time" : p.error;
      } catch (const std::exception& e) {
        r["error"] = e.what();
      }
    }
    results.push_back(r);
  }
  std::ofstream(out) << results.dump();
}

}  // namespace

std::vector<Prediction> predict_records(const std::vector<Record>& records, const PredictorFactory& factory,
                                        const PredictOptions& options) {
  std::map<std::string, std::vector<size_t>> by_gpu;  // ordered: deterministic
  for (size_t i = 0; i < records.size(); ++i) by_gpu[records[i].gpu].push_back(i);

  const fs::path dir = fs::temp_directory_path() / fmt::format("hwsim_predict_{}", ::getpid());
  fs::create_directories(dir);
  struct Child {
    pid_t pid;
    std::string gpu;
    fs::path out;
  };
  std::vector<Child> running;
  std::vector<Prediction> result(records.size());
  int launched = 0;
  auto reap = [&](Child c) {
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    std::ifstream in(c.out);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || ss.str().empty()) {
      for (size_t i : by_gpu[c.gpu]) {
        result[i].error = fmt::format("the simulation of {} crashed (status {})", c.gpu, status);
      }
      return;
    }
    for (const auto& r : nlohmann::json::parse(ss.str())) {
      const size_t i = r["index"];
      if (r.contains("time_us")) result[i].time_us = r["time_us"].get<double>();
      else result[i].error = r["error"];
    }
  };
  for (const auto& [gpu, indices] : by_gpu) {
    if (static_cast<int>(running.size()) >= std::max(1, options.jobs)) {
      reap(running.front());
      running.erase(running.begin());
    }
    const fs::path out = dir / fmt::format("gpu{}.json", launched++);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw Error("cannot start a simulation process (fork failed)");
    if (pid == 0) {
      int code = 0;
      try {
        run_child(gpu, indices, records, factory, options, out);
      } catch (...) {
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    running.push_back({pid, gpu, out});
  }
  for (auto& c : running) reap(c);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return result;
}

}  // namespace hwsim
