// hwsim kernels list | show KIND: the kernel registry as a user reads it,
// generated from the declarations in workloads/kernels/ (each kernel's
// parameters, their types, defaults and units, and what it stands for).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "apps/hwsim/commands.hpp"
#include "workloads/kernel_descriptor.hpp"

namespace hwsim::cli {
namespace {

// The type as a user needs it, with the range a whole number is checked
// against (docs/reliability.md).
std::string type_text(const KernelParam& p) {
  if (p.type == "choice") return fmt::format("{}", fmt::join(p.choices, " | "));
  if (p.type == "integer > 0") return fmt::format("integer in 1..{}", p.limit());
  return p.type;
}

nlohmann::json to_json(const KernelDef& k) {
  nlohmann::json params = nlohmann::json::array();
  for (const KernelParam& p : k.params) {
    params.push_back({{"name", p.name},
                      {"type", type_text(p)},
                      {"required", p.required()},
                      {"default", p.default_value},
                      {"unit", p.unit},
                      {"description", p.description}});
  }
  return {{"kind", k.kind}, {"stands_for", k.stands_for}, {"params", params}, {"example", k.example}};
}

void print_kernel(const KernelDef& k) {
  fmt::print("{}: {}\n\nparameters:\n", k.kind, k.stands_for);
  for (const KernelParam& p : k.params) {
    const std::string deflt = p.required() ? "required" : "default " + p.default_value;
    const std::string unit = p.unit.empty() ? "" : " [" + p.unit + "]";
    fmt::print("  {:<18} {:<34} {}{}\n  {:<18} {}\n", p.name, type_text(p), deflt, unit, "", p.description);
  }
  fmt::print("\nlaunch parameters (every kernel):\n");
  for (const KernelParam& p : launch_params()) {
    const std::string unit = p.unit.empty() ? "" : " [" + p.unit + "]";
    fmt::print("  {:<18} {:<34} default {}{}\n  {:<18} {}\n", p.name, p.type, p.default_value, unit, "", p.description);
  }
  fmt::print("\nexample: hwsim run --kernel {}", k.kind);
  for (const auto& [key, value] : k.example.items())
    fmt::print(" --param {}={}", key, value.is_string() ? value.get<std::string>() : value.dump());
  fmt::print("\n");
}

}  // namespace

Command kernels_list_command() {
  Command c;
  c.name = "kernels list";
  c.summary = "list the kernels hwsim simulates, with what each stands for";
  c.description =
      "Lists the kernel kinds of the registry (workloads/kernels/), the names records and `hwsim run\n"
      "--kernel` use, each with the real kernel it models.";
  c.run = [](const Args&) {
    for (const KernelDef& k : kernel_registry()) fmt::print("{:<18} {}\n", k.kind, k.stands_for);
    return 0;
  };
  return c;
}

Command kernels_show_command() {
  Command c;
  c.name = "kernels show";
  c.summary = "print a kernel's parameters: type, default, unit and meaning";
  c.usage = "KIND";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description =
      "Prints what a kernel kind stands for and every parameter it accepts, from its declaration in\n"
      "workloads/kernels/<kind>.cpp.";
  c.options = {{"json", "", "print the description as JSON instead", ""}};
  c.run = [](const Args& a) {
    const KernelDef& k = find_kernel_def(a.positional()[0]);
    if (a.has("json"))
      fmt::print("{}\n", to_json(k).dump(1));
    else
      print_kernel(k);
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
