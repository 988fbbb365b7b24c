#pragma once
// The one exception type of hwsim. Its message names the file, key or kernel
// parameter at fault and the rule broken; the CLI prints it on one line and
// exits non-zero (docs/engine.md, "Conventions").
#include <stdexcept>
#include <string>

namespace hwsim {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace hwsim
