#include "apps/hwsim/cache_options.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "models/io/disk_cache.hpp"
#include "models/spec/error.hpp"
#include "workloads/simulator_version.hpp"

namespace hwsim::cli {
namespace {

std::filesystem::path default_cache_dir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (const std::string d = env("HWSIM_CACHE_DIR"); !d.empty()) return d;
  if (const std::string d = env("XDG_CACHE_HOME"); !d.empty()) return std::filesystem::path(d) / "hwsim";
  if (const std::string d = env("HOME"); !d.empty()) return std::filesystem::path(d) / ".cache" / "hwsim";
  return {};
}

}  // namespace

std::vector<Option> cache_options(bool on_by_default) {
  std::vector<Option> o = {
      {"cache", "DIR",
       on_by_default ? "result cache folder (default: $HWSIM_CACHE_DIR, else $XDG_CACHE_HOME/hwsim, else "
                       "~/.cache/hwsim)"
                     : "keep and reuse kernel results in the result cache folder DIR (off by default: bench times "
                       "the simulator)",
       ""},
      {"cache-max-mb", "N", "bound on the result cache folder, MiB (least recently used entries go first)", "1024",
       false, IntRange{1, 1LL << 24}}};
  if (on_by_default)
    o.insert(o.begin() + 1, {"no-cache", "", "simulate every kernel; neither read nor write the cache", ""});
  return o;
}

ResultCacheOptions result_cache_options(const Args& a, bool on_by_default) {
  ResultCacheOptions o;
  const long long mb = a.integer("cache-max-mb");
  if (mb <= 0) throw Error(fmt::format("--cache-max-mb {} must be > 0", mb));
  o.max_bytes = mb * (1LL << 20);
  const bool off = on_by_default && a.has("no-cache");
  if (off && a.has("cache")) throw Error("give --cache DIR or --no-cache, not both");
  if (off) return o;
  std::filesystem::path dir;
  if (auto d = a.maybe("cache")) {
    if (d->empty()) throw Error("--cache: the folder name is empty");
    dir = *d;
  } else if (on_by_default) {
    dir = default_cache_dir();
    if (dir.empty()) {
      fmt::print(stderr,
                 "hwsim: warning: result cache: no HOME, HWSIM_CACHE_DIR or XDG_CACHE_HOME; running without it\n");
      return o;
    }
  } else {
    return o;
  }
  o.dir = dir;
  return o;
}

ResultCacheOptions usable_or_none(ResultCacheOptions o) {
  if (!o.dir.empty() && !DiskCache({o.dir, std::string(simulator_version()), o.max_bytes}).usable()) o.dir.clear();
  return o;
}

std::vector<std::string> cache_arguments(const Args& a) {
  std::vector<std::string> out;
  if (a.has("no-cache")) out.push_back("--no-cache");
  if (auto d = a.maybe("cache")) out.insert(out.end(), {"--cache", *d});
  out.insert(out.end(), {"--cache-max-mb", a.get("cache-max-mb")});
  return out;
}

}  // namespace hwsim::cli
