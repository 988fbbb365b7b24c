#pragma once
// KernelDescriptor: a kernel as the validation records describe it, a kind
// plus a params object (the record schema; never rename kinds or params).
// The registry maps each kind to the generator of its program.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/program/program.hpp"

namespace hwsim {

struct KernelDescriptor {
  std::string kind;
  nlohmann::json params;
};

// What a generator may know about the machine it is launched on.
struct KernelContext {
  const HardwareSpec& spec;
  int sms;  // SMs the launch may use (the `sms` param or a stream's SM set)
};

struct KernelDef {
  std::string kind;
  std::string stands_for;           // the real kernel it models
  std::vector<std::string> params;  // accepted params, for messages and --help
  std::function<sim::KernelProgram(const KernelDescriptor&, const KernelContext&)> build;
};

// All kernels, in the order of registration (kernel_registry.cpp).
const std::vector<KernelDef>& kernel_registry();
// Throws hwsim::Error for an unknown kind (with a did-you-mean) or bad params.
sim::KernelProgram build_program(const KernelDescriptor& d, const KernelContext& ctx);

// Reads and checks params; every error names the kernel, the param and the rule.
class ParamReader {
 public:
  ParamReader(const KernelDescriptor& d, std::vector<std::string> accepted);
  std::int64_t positive(const std::string& name) const;  // required integer > 0
  std::int64_t positive_or(const std::string& name, std::int64_t fallback) const;
  DataType dtype(const std::string& name) const;  // required dtype
  std::string choice(const std::string& name, const std::vector<std::string>& allowed,
                     const std::string& fallback) const;
  bool flag_or(const std::string& name, bool fallback) const;
  [[noreturn]] void fail(const std::string& name, const std::string& rule) const;

 private:
  const KernelDescriptor& d_;
};

}  // namespace hwsim
