#pragma once
// Registries of unit implementations. A unit whose behaviour a hardware
// proposal changes (proposals are alternative implementations, never
// branches in baseline models: docs/engine.md, "Proposal variants") has
// several implementations, and the GPU description names the one it has:
// `tma.implementation` picks the SM's TMA, `hbm.implementation` the stacks'
// read path. Each registry starts with the standard (Hopper) implementation;
// a proposal folder registers its own from the file that defines it:
//
//   const sim::UnitRegistration kCasting{sim::tma_implementations(),
//       {"casting", "TMA that casts BF16 to FP8 on its way in", make_casting_tma}};
//
// Registries are filled during static initialisation and only read after it
// (hw_proposals is linked whole, so every folder's registration runs).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/gpu/units/hbm_read_path.hpp"
#include "sim/gpu/units/tma_unit.hpp"

namespace hwsim::sim {

template <class Interface, class Env>
class UnitImplementations {
 public:
  using Factory = std::function<std::unique_ptr<Interface>(const Env&)>;
  struct Entry {
    std::string name;
    std::string description;
    Factory make;
  };
  UnitImplementations(std::string key, Entry standard) : key_(std::move(key)) { add(std::move(standard)); }
  // Throws hwsim::Error when the name is taken.
  void add(Entry e);
  // The implementation `name`; throws hwsim::Error naming the spec key, the
  // value and the known implementations.
  const Entry& find(std::string_view name) const;
  // Builds the implementation the spec names under key().
  std::unique_ptr<Interface> make(const HardwareSpec& spec, const Env& env) const;
  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& key() const { return key_; }

 private:
  std::string key_;  // spec key that picks one, e.g. "tma.implementation"
  std::vector<Entry> entries_;
};

UnitImplementations<TmaUnit, TmaEnv>& tma_implementations();
UnitImplementations<HbmReadPath, HbmEnv>& hbm_implementations();

// Registers an implementation at static initialisation (see above).
struct UnitRegistration {
  template <class Registry>
  UnitRegistration(Registry& registry, typename Registry::Entry e) {
    registry.add(std::move(e));
  }
};

}  // namespace hwsim::sim
