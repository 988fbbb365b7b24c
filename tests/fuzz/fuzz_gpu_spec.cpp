// Fuzz target: GPU descriptions (sim/config/gpu_loader.cpp). The input is a
// YAML description, optionally followed by a line "%%" and one `--set
// key=value` text per line; the description is written to a file (it may
// inherit a preset) and loaded with the overrides.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/config/gpu_loader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view yaml = text;
  std::vector<std::string> overrides;
  if (const size_t sep = text.find("\n%%\n"); sep != std::string_view::npos) {
    yaml = text.substr(0, sep + 1);
    overrides = hwsim::fuzz::lines(text.substr(sep + 4));
  }
  const auto path = hwsim::fuzz::input_file("gpu.yaml", yaml);
  hwsim::fuzz::expect_clean_error([&] {
    const hwsim::HardwareSpec spec = hwsim::load_gpu(path.string(), overrides);
    (void)hwsim::resolved_config_json(spec).dump();
  });
  return 0;
}
