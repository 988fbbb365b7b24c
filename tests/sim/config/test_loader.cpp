// Presets resolve through their inheritance chains; overrides win and are
// recorded with their origin; the resolved JSON carries every key's source.
#include <catch2/catch.hpp>

#include "sim/config/gpu_loader.hpp"

using hwsim::load_gpu;

TEST_CASE("three presets are compiled in") {
  const auto presets = hwsim::list_gpu_presets();
  REQUIRE(presets.size() == 3);
  CHECK(presets[0].name == "h100-sxm");
  CHECK(presets[1].name == "h200-sxm");
  CHECK(presets[1].inherits == "h100-sxm");
  CHECK(presets[2].name == "h800-sxm");
  CHECK(presets[2].inherits == "h100-sxm");
}

TEST_CASE("h800 differs from h100 in NVLink only") {
  const auto h100 = load_gpu("h100-sxm");
  const auto h800 = load_gpu("h800-sxm");
  REQUIRE(h800.inherits_chain == std::vector<std::string>{"h800-sxm", "h100-sxm"});
  int differing = 0;
  for (const auto& [key, p] : h800.params.all()) {
    if (hwsim::to_string(p.value) != hwsim::to_string(h100.params.at(key).value)) {
      ++differing;
      CHECK(key.starts_with("nvlink."));
    }
  }
  CHECK(differing >= 2);
  CHECK(h800.nvlink.nominal_bidir_GBps == 400);
  CHECK(h800.nvlink.achieved_unidir_GBps == 160);
  CHECK(h800.hbm.bandwidth_GBps == h100.hbm.bandwidth_GBps);
}

TEST_CASE("h200 differs from h100 only in memory facts") {
  const auto h100 = load_gpu("h100-sxm");
  const auto h200 = load_gpu("h200-sxm");
  for (const auto& [key, p] : h200.params.all()) {
    if (hwsim::to_string(p.value) != hwsim::to_string(h100.params.at(key).value)) {
      const bool memory = key.starts_with("hbm.") || key.starts_with("l2.") || key == "clock.mem_MHz";
      CHECK(memory);
    }
  }
  CHECK(h200.hbm.bandwidth_GBps / h100.hbm.bandwidth_GBps == Approx(4800.0 / 3352.0));
}

TEST_CASE("command-line overrides win and are recorded") {
  const auto spec = load_gpu("h800-sxm", {"hbm.bandwidth_GBps=4000", "sm.count=132"});
  CHECK(spec.hbm.bandwidth_GBps == 4000);
  CHECK(spec.params.at("hbm.bandwidth_GBps").origin == "--set");
  CHECK(spec.params.at("hbm.bandwidth_GBps").source == "override: --set hbm.bandwidth_GBps=4000");
  const auto json = hwsim::resolved_config_json(spec);
  CHECK(json["params"]["hbm.bandwidth_GBps"]["value"] == 4000);
  CHECK(json["params"]["hbm.bandwidth_GBps"]["unit"] == "GB/s");
  CHECK(json["params"]["sm.count"]["set_at"] == "--set");
  CHECK(json["params"]["nvlink.nominal_bidir_GBps"]["set_at"].get<std::string>().starts_with(
      "models/gpus/h800-sxm.yaml:"));
}

TEST_CASE("resolution is deterministic") {
  CHECK(hwsim::resolved_config_json(load_gpu("h800-sxm")).dump() ==
        hwsim::resolved_config_json(load_gpu("h800-sxm")).dump());
}

TEST_CASE("an overlay changes keys with its own sources, before the overrides") {
  const hwsim::ConfigOverlay delta{"delta.yaml",
                                   "name: delta\nparams:\n  tma:\n    fp8_cast_bytes_per_clk: {value: 64, source: "
                                   "\"assumption: test\"}\n"};
  const auto spec = load_gpu("h800-sxm", {}, {delta});
  CHECK(spec.tma.fp8_cast_bytes_per_clk == 64);
  CHECK(spec.params.at("tma.fp8_cast_bytes_per_clk").origin == "delta.yaml:4");
  CHECK(load_gpu("h800-sxm", {"tma.fp8_cast_bytes_per_clk=32"}, {delta}).tma.fp8_cast_bytes_per_clk == 32);
  const hwsim::ConfigOverlay bad{"bad.yaml",
                                 "name: bad\nparams:\n  tma:\n    fp8_cast_bytes_per_clk: {value: -1, source: x}\n"};
  CHECK_THROWS_WITH(load_gpu("h800-sxm", {}, {bad}), "bad.yaml:4: tma.fp8_cast_bytes_per_clk = -1 must be >= 0");
}
