#pragma once
// The timing models `hwsim predict` and `hwsim validate` can use, by name.
#include <string>
#include <vector>

#include "validate/compare/predictor.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {

std::vector<std::string> predictor_names();
// `cache`: the simulator's result cache (every process the factory runs in shares it).
PredictorFactory predictor_factory(const std::string& name,
                                   const ResultCacheOptions& cache = {});  // throws naming the model

}  // namespace hwsim::cli
