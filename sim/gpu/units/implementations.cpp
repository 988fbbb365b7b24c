#include "sim/gpu/units/implementations.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"

namespace hwsim::sim {

template <class Interface, class Env>
void UnitImplementations<Interface, Env>::add(Entry e) {
  for (const Entry& x : entries_) {
    if (x.name == e.name) throw Error(fmt::format("{}: implementation '{}' is registered twice", key_, e.name));
  }
  entries_.push_back(std::move(e));
}

template <class Interface, class Env>
const typename UnitImplementations<Interface, Env>::Entry& UnitImplementations<Interface, Env>::find(
    std::string_view name) const {
  std::vector<std::string> names;
  for (const Entry& e : entries_) {
    if (e.name == name) return e;
    names.push_back(e.name);
  }
  throw Error(
      fmt::format("{} = '{}' is not an implementation hwsim has; known: {}", key_, name, fmt::join(names, ", ")));
}

template <class Interface, class Env>
std::unique_ptr<Interface> UnitImplementations<Interface, Env>::make(const HardwareSpec& spec, const Env& env) const {
  return find(spec.params.text(key_)).make(env);
}

template class UnitImplementations<TmaUnit, TmaEnv>;
template class UnitImplementations<HbmReadPath, HbmEnv>;

UnitImplementations<TmaUnit, TmaEnv>& tma_implementations() {
  static UnitImplementations<TmaUnit, TmaEnv> r{
      "tma.implementation",
      {"standard", "Hopper's TMA: copies boxes as stored (no data-type conversion)",
       [](const TmaEnv& env) { return std::make_unique<TmaUnit>(env); }}};
  return r;
}

UnitImplementations<HbmReadPath, HbmEnv>& hbm_implementations() {
  static UnitImplementations<HbmReadPath, HbmEnv> r{
      "hbm.implementation",
      {"standard", "HBM3 stacks without logic: channels send the data as stored",
       [](const HbmEnv&) { return std::make_unique<HbmReadPath>(); }}};
  return r;
}

}  // namespace hwsim::sim
