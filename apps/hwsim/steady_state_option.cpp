#include "apps/hwsim/steady_state_option.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "models/spec/error.hpp"

namespace hwsim::cli {

Option full_simulation_option() {
  return {"full-simulation", "",
          "simulate every work unit of every GEMM (default: a GEMM of many rounds is extended from two shorter "
          "simulations, within 0.5% of the full one; docs/performance.md)",
          ""};
}

SteadyStateOptions steady_state_options(const Args& a) {
  SteadyStateOptions o;
  o.enabled = !a.has("full-simulation");
  return o;
}

Option steady_state_rounds_option() {
  return {"steady-state", "MIN,F",
          "extend a persistent GEMM of R rounds from two simulations of S = max(MIN, R / F) and 2 S rounds instead "
          "of simulating every round (the layer, step and study use 4,8)",
          ""};
}

SteadyStateOptions steady_state_rounds(const Args& a) {
  SteadyStateOptions o;
  const auto v = a.maybe("steady-state");
  if (!v) return o;
  const auto comma = v->find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument("no comma");
    o.min_short_rounds = std::stoi(v->substr(0, comma));
    o.short_fraction = std::stoi(v->substr(comma + 1));
  } catch (const std::exception&) {
    throw Error(fmt::format("--steady-state {}: expected MIN,F, e.g. 4,8", *v));
  }
  if (o.min_short_rounds < 1 || o.short_fraction < 1)
    throw Error(fmt::format("--steady-state {}: MIN and F must be >= 1", *v));
  o.enabled = true;
  return o;
}

}  // namespace hwsim::cli
