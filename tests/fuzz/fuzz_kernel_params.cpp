// Fuzz target: kernel params as `hwsim run --kernel KIND --param NAME=VALUE`
// gives them (workloads/kernel_registry.cpp). The input's first line is the
// kind, each further line one NAME=VALUE; the launch options, the kernel's
// work and its program for the H800 preset are derived from them, as a run
// does before simulating, and the params are written out as a result would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/config/gpu_loader.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "workloads/kernel_descriptor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const hwsim::HardwareSpec spec = hwsim::load_gpu("h800-sxm");
  const std::vector<std::string> lines =
      hwsim::fuzz::lines(std::string_view(reinterpret_cast<const char*>(data), size));
  if (lines.empty()) return 0;
  hwsim::fuzz::expect_clean_error([&] {
    hwsim::KernelDescriptor d{lines[0], nlohmann::json::object()};
    for (size_t i = 1; i < lines.size(); ++i) hwsim::set_param_from_text(d.params, lines[i]);
    (void)d.params.dump();  // as every result and record written carries them
    const hwsim::LaunchOptions o = hwsim::launch_options(d, spec.sm.count);
    (void)hwsim::kernel_work(d.kind, d.params);
    (void)hwsim::build_program(d, hwsim::KernelContext{spec, o.sms > 0 ? o.sms : spec.sm.count});
  });
  return 0;
}
