#pragma once
// The result cache's command-line options, shared by every command that
// simulates kernels: --cache DIR, --no-cache, --cache-max-mb N
// (docs/engine.md, "The result cache").
#include <vector>

#include "apps/hwsim/cli.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {

// on_by_default: the cache is used unless --no-cache (false: only with --cache DIR,
// for hwsim bench, which times the simulator).
std::vector<Option> cache_options(bool on_by_default = true);
// The folder and bound to use; an empty dir means no disk cache (--no-cache, or a
// folder that cannot be created or written, which is a warning, never an error).
// Default folder: $HWSIM_CACHE_DIR, else $XDG_CACHE_HOME/hwsim, else ~/.cache/hwsim.
ResultCacheOptions result_cache_options(const Args& a, bool on_by_default = true);
// The same options as arguments, for a command that hands over to another.
std::vector<std::string> cache_arguments(const Args& a);

}  // namespace hwsim::cli
