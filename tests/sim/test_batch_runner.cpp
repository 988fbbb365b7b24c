// Batches run in child processes, one configuration each; identical kernels
// are simulated once per batch; overrides reach the configuration.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "sim/batch_runner.hpp"

using namespace hwsim;

namespace {

// Answers with the number of predictions made so far in this process (so a
// cached kernel repeats an earlier answer) plus the configured SM clock.
class Counter final : public KernelPredictor {
 public:
  explicit Counter(double clock) : clock_(clock) {}
  Prediction predict(const std::string& kind, const nlohmann::json&) override {
    if (kind == "boom") throw std::runtime_error("cannot model boom");
    return {clock_ + static_cast<double>(++calls_), ""};
  }

 private:
  double clock_;
  int calls_ = 0;
};

}  // namespace

TEST_CASE("batches run per configuration with identical kernels simulated once") {
  PredictorFactory factory = [](const HardwareSpec& s) { return std::make_unique<Counter>(s.clock.sm_MHz); };
  const nlohmann::json a = {{"bytes", 1}}, b = {{"bytes", 2}};
  std::vector<ConfigBatch> batches = {
      {"h100-sxm", {}, {{"read", a}, {"read", b}, {"read", a}, {"boom", a}}},
      {"h800-sxm", {"clock.sm_MHz=1000"}, {{"read", b}}},
      {"no-such-gpu", {}, {{"read", a}}},
  };
  const auto r = run_batches(batches, factory, 2);
  REQUIRE(r.size() == 3);
  REQUIRE(r[0].size() == 4);
  CHECK(*r[0][0].time_us == 1981);
  CHECK(*r[0][1].time_us == 1982);
  CHECK(*r[0][2].time_us == 1981);  // cached: same answer as the first
  CHECK_FALSE(r[0][3].time_us);
  CHECK(r[0][3].error == "cannot model boom");
  CHECK(*r[1][0].time_us == 1001);  // a fresh process with the override
  CHECK(r[2][0].error.starts_with("unknown GPU 'no-such-gpu'"));
}

namespace {

// Dies by a signal on kind "abort", as a simulator bug would.
class Aborter final : public KernelPredictor {
 public:
  Prediction predict(const std::string& kind, const nlohmann::json&) override {
    if (kind == "abort") {
      std::signal(SIGABRT, SIG_DFL);  // not Catch2's handler, which would report from the child
      std::abort();
    }
    return {1.0, ""};
  }
};

}  // namespace

TEST_CASE("a batch whose process dies marks the predictions it had not finished crashed, naming the signal") {
  PredictorFactory factory = [](const HardwareSpec&) { return std::make_unique<Aborter>(); };
  const nlohmann::json a = {{"bytes", 1}};
  const std::vector<ConfigBatch> batches = {{"h100-sxm", {}, {{"read", a}, {"abort", a}}},
                                            {"h800-sxm", {}, {{"read", a}}}};
  const auto r = run_batches(batches, factory, 2);
  REQUIRE(r.size() == 2);
  // The child reports each result as it has it: the kernel before the crash keeps its time.
  REQUIRE(r[0].size() == 2);
  CHECK_FALSE(r[0][0].crashed);
  CHECK(*r[0][0].time_us == 1.0);
  CHECK(r[0][1].crashed);
  CHECK(r[0][1].error == "the simulation of h100-sxm crashed (signal 6)");
  CHECK_FALSE(r[1][0].crashed);  // a per-record model limitation or success is never a crash
  CHECK(*r[1][0].time_us == 1.0);
}

namespace {

// Never answers kind "hang" (a simulation that does not end); 1 us otherwise.
class Hanger final : public KernelPredictor {
 public:
  Prediction predict(const std::string& kind, const nlohmann::json&) override {
    while (kind == "hang") std::this_thread::sleep_for(std::chrono::seconds(1));
    return {1.0, ""};
  }
};

}  // namespace

TEST_CASE("a kernel over the time limit is stopped and answered timed out, and the batch goes on") {
  PredictorFactory factory = [](const HardwareSpec&) { return std::make_unique<Hanger>(); };
  const nlohmann::json a = {{"bytes", 1}};
  const std::vector<ConfigBatch> batches = {{"h100-sxm", {}, {{"read", a}, {"hang", a}, {"read", a}, {"hang", a}}},
                                            {"h800-sxm", {}, {{"read", a}}}};
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_batches(batches, factory, 2, 0.5);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  REQUIRE(r[0].size() == 4);
  for (size_t i : {0, 2}) {
    CHECK_FALSE(r[0][i].timed_out);
    CHECK(*r[0][i].time_us == 1.0);
  }
  for (size_t i : {1, 3}) {
    CHECK(r[0][i].timed_out);
    CHECK_FALSE(r[0][i].crashed);
    CHECK_FALSE(r[0][i].time_us);
    CHECK(r[0][i].error == "timed out: its simulation ran longer than 0.5 s");
  }
  CHECK(*r[1][0].time_us == 1.0);
}
