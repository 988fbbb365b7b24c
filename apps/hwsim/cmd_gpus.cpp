// hwsim gpus list | gpus show NAME | gpus schema: the GPU presets, their
// resolved, sourced parameters with a roofline summary computed from them, and
// the table of keys every description must give.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/hwsim/commands.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
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

std::string unit_text(std::string_view key) {
  const auto unit = unit_of_key(key);
  return unit ? std::string(unit->display) : std::string();
}

// One object per key, in schema order: what scripts/gen_hardware_doc.py reads.
nlohmann::json schema_json() {
  nlohmann::json rows = nlohmann::json::array();
  for (const ParamDef& d : gpu_param_schema()) {
    rows.push_back({{"key", d.key},
                    {"kind", to_string(d.kind)},
                    {"unit", unit_text(d.key)},
                    {"range", range_text(d)},
                    {"description", d.description}});
  }
  return rows;
}

void print_schema_markdown() {
  fmt::print("| key | kind | unit | range | description |\n|---|---|---|---|---|\n");
  for (const ParamDef& d : gpu_param_schema()) {
    fmt::print("| `{}` | {} | {} | {} | {} |\n", d.key, to_string(d.kind), unit_text(d.key), range_text(d),
               d.description);
  }
}

void print_schema_text() {
  for (const ParamDef& d : gpu_param_schema()) {
    fmt::print("{:<40} {:<11} {:<8} {:<22} {}\n", d.key, to_string(d.kind), unit_text(d.key), range_text(d),
               d.description);
  }
}

}  // namespace

Command gpus_schema_command() {
  Command c;
  c.name = "gpus schema";
  c.summary = "print the keys every GPU description gives: unit, rule and meaning";
  c.description =
      "Prints the table of GPU parameters (models/spec/hardware_spec.cpp): each key with its value kind, unit,\n"
      "allowed range and description, as text, a markdown table or a JSON array. docs/hardware.md is built\n"
      "from the JSON (scripts/gen_hardware_doc.py).";
  c.options = {{"markdown", "", "print a markdown table", ""}, {"json", "", "print a JSON array", ""}};
  c.run = [](const Args& a) {
    if (a.has("markdown") && a.has("json")) throw Error("gpus schema: give --markdown or --json, not both");
    if (a.has("json")) {
      fmt::print("{}\n", schema_json().dump(2));
    } else if (a.has("markdown")) {
      print_schema_markdown();
    } else {
      print_schema_text();
    }
    return 0;
  };
  return c;
}

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
