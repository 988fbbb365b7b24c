#pragma once
// The steady-state extension's command-line switch (sim/gpu/steady_state.hpp):
// the layer, the step and the study extend long persistent GEMMs from two
// shortened simulations unless --full-simulation; hwsim validate and single
// kernel runs always simulate in full.
#include <vector>

#include "apps/hwsim/cli.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {

Option full_simulation_option();
// On unless --full-simulation.
SteadyStateOptions steady_state_options(const Args& a);
// hwsim run --kernel: off unless --steady-state MIN,F (S = max(MIN, R / F)).
Option steady_state_rounds_option();
SteadyStateOptions steady_state_rounds(const Args& a);

}  // namespace hwsim::cli
