// Every number in models/gpus/*.yaml carries a source of a known kind, and
// docs/hardware.md documents every key of the schema.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/spec/hardware_spec.hpp"
#include "sim/config/gpu_loader.hpp"

namespace fs = std::filesystem;

TEST_CASE("every parameter of every preset has a source of a known kind") {
  for (const auto& preset : hwsim::list_gpu_presets()) {
    const auto spec = hwsim::load_gpu(preset.name);
    for (const auto& [key, p] : spec.params.all()) {
      INFO(preset.name << " " << key << " source: " << p.source);
      const bool known = p.source.starts_with("datasheet: ") || p.source.starts_with("paper: ") ||
                         p.source.starts_with("derived: ") || p.source.starts_with("measured: ") ||
                         p.source.starts_with("assumption: ");
      CHECK(known);
      CHECK(p.source.size() > 20);
    }
  }
}

TEST_CASE("measured sources name committed H100 calibration records, never validation or H200 data") {
  // Calibration happens on the H100's microbenchmarks only: every record id a
  // `measured:` source names must be a calibration record of
  // validate/data/h100-sxm/, so no validation record (and no H200 record) can
  // have set a parameter.
  std::map<std::string, std::string> roles;  // record id -> role, over all committed data
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(HWSIM_SOURCE_DIR) / "validate" / "data")) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const auto r = nlohmann::json::parse(line);
      roles[r["id"].get<std::string>()] = r["role"].get<std::string>();
    }
  }
  REQUIRE(roles.size() > 100);
  int measured = 0;
  for (const auto& preset : hwsim::list_gpu_presets()) {
    const auto spec = hwsim::load_gpu(preset.name);
    for (const auto& [key, p] : spec.params.all()) {
      if (!p.source.starts_with("measured: ")) continue;
      ++measured;
      INFO(preset.name << " " << key << " " << p.source);
      // Every token of the source that looks like a record id must be one.
      std::istringstream words(p.source.substr(10));
      int ids = 0;
      for (std::string w; words >> w;) {
        if (w.find('/') == std::string::npos || w.find("ubench_") == std::string::npos) continue;
        if (w.find("..") != std::string::npos) continue;  // a range in prose, e.g. cluster1..16
        ++ids;
        CHECK(w.starts_with("h100-sxm/"));
        REQUIRE(roles.count(w) == 1);
        CHECK(roles[w] == "calibration");
      }
      CHECK(ids >= 1);
    }
  }
  CHECK(measured >= 10);
}

TEST_CASE("no parameter of the H200 preset comes from an H200 measurement") {
  const auto h200 = hwsim::load_gpu("h200-sxm");
  for (const auto& [key, p] : h200.params.all()) {
    INFO(key << " " << p.source);
    CHECK(p.source.find("h200-sxm/") == std::string::npos);
    if (p.origin.starts_with("models/gpus/h200-sxm.yaml")) CHECK_FALSE(p.source.starts_with("measured: "));
  }
}

TEST_CASE("docs/hardware.md explains every key") {
  std::ifstream in(fs::path(HWSIM_SOURCE_DIR) / "docs" / "hardware.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const auto& d : hwsim::gpu_param_schema()) {
    INFO(d.key);
    std::string quoted = "`";
    quoted.append(d.key).append("`");
    CHECK(doc.find(quoted) != std::string::npos);
  }
}
