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
// The folder and bound to use; an empty dir means no disk cache (--no-cache).
// Default folder: $HWSIM_CACHE_DIR, else $XDG_CACHE_HOME/hwsim, else ~/.cache/hwsim.
// Nothing is created until a simulator opens it (the roofline model never does).
ResultCacheOptions result_cache_options(const Args& a, bool on_by_default = true);
// `o`, or no disk cache when its folder cannot be created or written (one
// warning): checked once before simulation processes are forked, so that each
// of them does not warn again.
ResultCacheOptions usable_or_none(ResultCacheOptions o);
// The same options as arguments, for a command that hands over to another.
std::vector<std::string> cache_arguments(const Args& a);

}  // namespace hwsim::cli
