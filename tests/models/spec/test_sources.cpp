// Every number in models/gpus/*.yaml carries a source of a known kind, and
// docs/hardware.md documents every key of the schema.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

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

TEST_CASE("measured sources point at committed calibration records of the same GPU family") {
  // A `measured:` source names a record id; the id must exist in the H100's
  // committed data (calibration happens on the H100 only).
  for (const auto& preset : hwsim::list_gpu_presets()) {
    const auto spec = hwsim::load_gpu(preset.name);
    for (const auto& [key, p] : spec.params.all()) {
      if (!p.source.starts_with("measured: ")) continue;
      INFO(preset.name << " " << key << " " << p.source);
      CHECK(p.source.find("h100-sxm/") != std::string::npos);
      CHECK(p.source.find("h200") == std::string::npos);
    }
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
