// End-to-end: `hwsim run --workload deepseek-v3-layer` simulates each
// distinct kernel of the layer once and its totals add up; the output is
// deterministic and bad options are one-line errors.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/run_cli.hpp"

namespace {
using Out = hwsim::testing::CliOutput;
using hwsim::testing::run_cli;
}  // namespace

TEST_CASE("hwsim run --workload deepseek-v3-layer: per-kernel, per-phase and layer totals", "[cli][layer][slow]") {
  const Out o = run_cli("run --workload deepseek-v3-layer --gpu h800-sxm --tokens 512 --json");
  REQUIRE(o.rc == 0);
  const auto j = nlohmann::json::parse(o.text);
  CHECK(j.at("tokens_per_gpu") == 512);
  double sum = 0;
  std::set<std::string> distinct, kinds;
  int errors = 0;
  for (const auto& k : j.at("kernels")) {
    distinct.insert(k.at("kind").get<std::string>() + k.at("params").dump());
    kinds.insert(k.at("kind").get<std::string>());
    if (k.contains("error")) {
      ++errors;
      continue;
    }
    CHECK(k.at("time_us_each").get<double>() > 0);
    CHECK(k.at("time_us_total").get<double>() == Approx(k.at("time_us_each").get<double>() * k.at("count").get<int>()));
    sum += k.at("time_us_total").get<double>();
  }
  CHECK(j.at("distinct_kernels_simulated").get<size_t>() == distinct.size());
  CHECK(j.at("kernels_not_modelled").get<int>() == errors);
  CHECK(j.at("total_us").get<double>() == Approx(sum));
  double phases = 0;
  for (const auto& [phase, us] : j.at("phases_us").items()) phases += us.get<double>();
  CHECK(phases == Approx(sum));
  CHECK(kinds.count("attention") == 1);
  CHECK(kinds.count("gemm") == 1);
  // Same inputs, same bytes.
  CHECK(run_cli("run --workload deepseek-v3-layer --gpu h800-sxm --tokens 512 --json").text == o.text);
}

TEST_CASE("hwsim run --workload prints a table and rejects bad options in one line", "[cli][layer][slow]") {
  const Out human = run_cli("run --workload deepseek-v3-layer --tokens 256 --routing skewed --seed 7");
  CHECK(human.rc == 0);
  CHECK(human.text.find("layer total") != std::string::npos);
  CHECK(human.text.find("fwd.attention") != std::string::npos);
  const Out bad = run_cli("run --workload deepseek-v3-layer --routing lumpy 2>&1");
  CHECK(bad.rc == 1);
  CHECK(bad.text == "hwsim: error: --routing lumpy must be balanced or skewed\n");
  const Out both = run_cli("run --workload deepseek-v3-layer --kernel gemm 2>&1");
  CHECK(both.rc == 1);
  CHECK(both.text == "hwsim: error: hwsim run: give --kernel or --workload, not both\n");
}
