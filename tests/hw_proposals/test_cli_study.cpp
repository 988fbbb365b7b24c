// End-to-end: `hwsim study` with the communication proposals writes their
// step-level results (roofline compute, to stay quick), and `hwsim step`
// runs a communication proposal on the GPU its spec delta describes, with
// one-line errors when the hardware is missing or an old knob is used.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/run_cli.hpp"

namespace {
using hwsim::testing::run_cli;
namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path scratch(const std::string& name) {
  const fs::path p = fs::current_path() / "test-scratch" / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

double step_s(const fs::path& json_file) { return nlohmann::json::parse(read(json_file))["step_s"].get<double>(); }

}  // namespace

TEST_CASE("hwsim study comm_offload unified_scaleup_scaleout: step rows in study.json, CSV and summary",
          "[cli][study][slow]") {
  const fs::path dir = scratch("cli-study-comm");
  const std::string args =
      "study comm_offload unified_scaleup_scaleout --model roofline --no-sensitivity --out " + dir.string();
  const auto o = run_cli(args);
  REQUIRE(o.rc == 0);
  CHECK(o.text.find("## Training step: communication proposals") != std::string::npos);
  CHECK(o.text.find("| Communication co-processor | ") != std::string::npos);
  CHECK(o.text.find("| Unified scale-up/scale-out adapter | ") != std::string::npos);
  const auto study = nlohmann::json::parse(read(dir / "study.json"));
  CHECK(study["kind"] == "hwsim_study");
  CHECK(study["model"] == "roofline");
  CHECK(study["proposals"].empty());  // no layer-level proposal was asked for
  const auto& step = study.at("step");
  CHECK(step["baseline"]["comm_model"] == "deepep_sm");
  CHECK(step["baseline"]["comm_sms"] == 20);
  REQUIRE(step["proposals"].size() == 2);
  const double base = step["baseline"]["step_s"];
  for (const auto& p : step["proposals"]) {
    INFO(p["name"]);
    CHECK(p["comm_sms"] == 0);
    CHECK(p["speedup"].get<double>() == base / p["step_s"].get<double>());
    CHECK(p["speedup"].get<double>() > 1.0);
    CHECK(p["sensitivity"].empty());
  }
  const std::string csv = read(dir / "kernels.csv");
  CHECK(csv.find("baseline,step,all,step_s,") != std::string::npos);
  CHECK(csv.find("comm_offload,step,all,speedup,") != std::string::npos);
  CHECK(csv.find("unified_scaleup_scaleout,step,all,comm_sms,0,SMs") != std::string::npos);
  CHECK(o.text.find(read(dir / "summary.md")) == 0);
  // Same inputs, same bytes.
  const fs::path again = scratch("cli-study-comm-again");
  REQUIRE(
      run_cli("study comm_offload unified_scaleup_scaleout --model roofline --no-sensitivity --out " + again.string())
          .rc == 0);
  CHECK(read(again / "study.json") == read(dir / "study.json"));
}

TEST_CASE("hwsim study --list names every proposal with its level; bad step options are refused", "[cli][study]") {
  const auto list = run_cli("study --list");
  REQUIRE(list.rc == 0);
  CHECK(std::count(list.text.begin(), list.text.end(), '\n') == 8);
  CHECK(list.text.find("comm_offload             step ") != std::string::npos);
  CHECK(list.text.find("unified_scaleup_scaleout step ") != std::string::npos);
  CHECK(list.text.find("group_scaled_mma         layer ") != std::string::npos);
  const auto bad = run_cli("study comm_offload --model roofline --step-option bogus=1 2>&1");
  CHECK(bad.rc == 1);
  CHECK(bad.text.find("hwsim: error: unknown step option 'bogus'") == 0);
}

TEST_CASE("hwsim step --comm comm_offload runs on the co-processor its spec delta describes", "[cli][step]") {
  const fs::path dir = scratch("cli-step-comm");
  REQUIRE(run_cli("step --model roofline --json " + (dir / "base.json").string()).rc == 0);
  const auto offload = run_cli("step --model roofline --comm comm_offload --json " + (dir / "offload.json").string());
  REQUIRE(offload.rc == 0);
  CHECK(offload.text.find("comm_offload (0 SMs held); spec delta hw_proposals/comm_offload/spec_delta.yaml applied") !=
        std::string::npos);
  // --set applies after the delta: a co-processor of 10 GB/s makes the step slower than DeepEP on SMs.
  REQUIRE(run_cli("step --model roofline --comm comm_offload --set comm_coprocessor.throughput_GBps=10 --json " +
                  (dir / "slow.json").string())
              .rc == 0);
  CHECK(step_s(dir / "offload.json") <= step_s(dir / "base.json"));
  CHECK(step_s(dir / "slow.json") > step_s(dir / "base.json"));
}

TEST_CASE("hwsim step: missing hardware and the old --comm-set knobs are one-line errors", "[cli][step]") {
  const auto missing = run_cli("step --model roofline --comm comm_offload --set comm_coprocessor.present=false 2>&1");
  CHECK(missing.rc == 1);
  CHECK(missing.text ==
        "hwsim: error: comm_offload: h800-sxm has no communication co-processor (comm_coprocessor.present is false); "
        "the comm_offload proposal's spec delta (hw_proposals/comm_offload/spec_delta.yaml) describes one\n");
  const auto old = run_cli("step --model roofline --comm-set adapter_latency_us=2 2>&1");
  CHECK(old.rc == 1);
  CHECK(old.text ==
        "hwsim: error: --comm-set adapter_latency_us: the proposal's hardware is described by the GPU now; use --set "
        "nic.adapter_latency_us=2\n");
}
