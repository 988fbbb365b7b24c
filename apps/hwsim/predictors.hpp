#pragma once
// The timing models `hwsim predict` and `hwsim validate` can use, by name.
#include <string>
#include <vector>

#include "validate/compare/predictor.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {

std::vector<std::string> predictor_names();
// `cache`: the simulator's result cache (every process the factory runs in shares it);
// `steady`: the simulator's steady-state extension of long GEMMs (off: every work unit).
PredictorFactory predictor_factory(const std::string& name, const ResultCacheOptions& cache = {},
                                   const SteadyStateOptions& steady = {});  // throws naming the model

}  // namespace hwsim::cli
