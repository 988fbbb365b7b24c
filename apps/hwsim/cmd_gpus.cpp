// hwsim gpus list | gpus show NAME: the GPU presets and their resolved,
// sourced parameters, with a roofline summary computed from them.
#include <fmt/format.h>

#include <iostream>

#include "apps/hwsim/commands.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/roofline.hpp"
#include "models/spec/units.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::cli {
namespace {

void print_roofline(const HardwareSpec& spec) {
  const RooflineSummary r = roofline(spec);
  fmt::print("\nRoofline of {} at {:.0f} MHz (computed from the parameters above)\n", spec.name, spec.clock.sm_MHz);
  fmt::print("  HBM bandwidth        {:8.0f} GB/s peak, {:8.0f} GB/s sustained reads\n", r.hbm_peak_bytes_per_s / 1e9,
             r.hbm_sustained_read_bytes_per_s / 1e9);
  fmt::print("  L2 bandwidth         {:8.0f} GB/s\n", r.l2_bytes_per_s / 1e9);
  fmt::print("  FP32 CUDA cores      {:8.1f} TFLOP/s\n", r.fp32_cuda_core_flops / 1e12);
  for (const RooflineRow& row : r.rows) {
    fmt::print("  {:<9} tensor peak {:8.1f} TFLOP/s dense; ridge point {:6.1f} FLOP/byte ({:.1f} at sustained HBM)\n",
               to_string(row.dtype), row.peak_flops / 1e12, row.ridge_flop_per_byte, row.ridge_sustained);
  }
}

}  // namespace

Command gpus_list_command() {
  Command c;
  c.name = "gpus list";
  c.summary = "list the GPU presets compiled into hwsim";
  c.description = "Lists the GPU descriptions in models/gpus/ that hwsim carries, with what each inherits from.";
  c.run = [](const Args&) {
    for (const PresetInfo& p : list_gpu_presets()) {
      fmt::print("{:<10} {:<26} {}\n", p.name, p.display_name, p.inherits.empty() ? "" : "inherits " + p.inherits);
    }
    return 0;
  };
  return c;
}

Command gpus_show_command() {
  Command c;
  c.name = "gpus show";
  c.summary = "print a GPU's resolved parameters with their sources, and its roofline";
  c.usage = "NAME|FILE";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description =
      "Resolves a GPU description (preset name or .yaml file), applies --set overrides, validates every\n"
      "parameter and prints it with its unit and source, followed by a roofline summary computed from it.";
  c.options = {set_option(),
               {"json", "FILE", "also write the resolved description as JSON to FILE", ""},
               {"no-sources", "", "print values without their sources", ""}};
  c.run = [](const Args& a) {
    const HardwareSpec spec = load_gpu(a.positional()[0], a.all("set"));
    const bool sources = !a.has("no-sources");
    std::string lineage;
    for (size_t i = 1; i < spec.inherits_chain.size(); ++i)
      lineage.append(", inherits ").append(spec.inherits_chain[i]);
    fmt::print("{} ({}){}\n", spec.name, spec.display_name, lineage);
    for (const ParamDef& d : gpu_param_schema()) {
      const Param& p = spec.params.at(std::string(d.key));
      auto unit = unit_of_key(d.key);
      std::string value = to_string(p.value);
      if (unit && !unit->display.empty()) value.append(" ").append(unit->display);
      if (sources) {
        fmt::print("  {:<36} {:>22}  [{}] {}\n", d.key, value, p.origin, p.source);
      } else {
        fmt::print("  {:<36} {:>22}\n", d.key, value);
      }
    }
    print_roofline(spec);
    if (auto out = a.maybe("json")) write_file_atomic(*out, resolved_config_json(spec).dump(2) + "\n");
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
