#pragma once
// The timing models `hwsim predict` and `hwsim validate` can use, by name.
#include <string>
#include <vector>

#include "validate/compare/predictor.hpp"

namespace hwsim::cli {

std::vector<std::string> predictor_names();
PredictorFactory predictor_factory(const std::string& name);  // throws naming the model

}  // namespace hwsim::cli
