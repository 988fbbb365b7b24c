#pragma once
// Loads GPU descriptions: the YAML presets compiled into hwsim (models/gpus/)
// or a user's file, with `inherits:` chains and command-line `--set key=value`
// overrides, validated against gpu_param_schema(). Every error names the file
// and line (or the --set) and the rule broken; nothing is defaulted silently.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "models/spec/hardware_spec.hpp"

namespace hwsim {

struct PresetInfo {
  std::string name;
  std::string display_name;
  std::string inherits;  // empty for a base preset
};

// The presets compiled into the binary, sorted by name.
std::vector<PresetInfo> list_gpu_presets();

// A YAML text layered over a resolved GPU, e.g. a hardware proposal's spec
// delta: `name:` and `params:` with {value, source} leaves, no `inherits:`.
struct ConfigOverlay {
  std::string label;  // shown in messages and in each key's set_at, e.g. "hw_proposals/x/spec_delta.yaml"
  std::string yaml;
};

// `name_or_path` is a preset name ("h800-sxm") or a path to a .yaml file (it
// contains '/' or ends in ".yaml"); a file may inherit from a sibling file or
// from a preset. `overrides` are "key=value" texts as given to --set.
// Overlays apply after the inheritance chain and before the overrides.
HardwareSpec load_gpu(std::string_view name_or_path, const std::vector<std::string>& overrides = {},
                      const std::vector<ConfigOverlay>& overlays = {});

// The fully resolved description (every key with value, unit, source and
// where it was set) that is written next to every result.
nlohmann::json resolved_config_json(const HardwareSpec& spec);

// Did-you-mean helper shared by the CLI's option parsing: the candidate
// closest to `word` by edit distance, or "" when none is close.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace hwsim
