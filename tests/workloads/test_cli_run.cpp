// End-to-end: `hwsim run --json` prints only JSON on stdout (SystemC's banner
// is kept off it) and errors are one line with a non-zero exit.
#include <catch2/catch.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/run_cli.hpp"

namespace {
using Out = hwsim::testing::CliOutput;
Out run(const std::string& args) { return hwsim::testing::run_cli(args); }
}  // namespace

TEST_CASE("hwsim run --json stdout parses as the KernelResult", "[cli][run]") {
  const Out o =
      run("run --gpu h800-sxm --kernel gemm --m 1024 --n 2048 --k 1024 --a-dtype fp8_e4m3 --b-dtype fp8_e4m3 "
          "--out-dtype bf16 --scaling block_1x128_128x128 --json");
  REQUIRE(o.rc == 0);
  const auto j = nlohmann::json::parse(o.text);
  CHECK(j.at("gpu") == "h800-sxm");
  CHECK(j.at("params").at("scaling") == "block_1x128_128x128");
  CHECK(j.at("time_us").get<double>() > 0);
}

TEST_CASE("hwsim run prints a readable summary and rejects bad requests in one line", "[cli][run]") {
  const Out ok = run("run --gpu h100-sxm --kernel memcpy --bytes 16777216");
  CHECK(ok.rc == 0);
  CHECK(ok.text.find("memcpy on h100-sxm") != std::string::npos);
  CHECK(ok.text.find("HBM") != std::string::npos);
  const Out bad =
      run("run --kernel gemm --m 128 --n 128 --k 100 --a-dtype fp8_e4m3 --b-dtype fp8_e4m3 --out-dtype bf16 "
          "--scaling block_1x128_128x128 2>&1");
  CHECK(bad.rc == 1);
  CHECK(bad.text ==
        "hwsim: error: kernel gemm: param k = 100 must be a multiple of 128 for block_1x128_128x128 scaling\n");
}
