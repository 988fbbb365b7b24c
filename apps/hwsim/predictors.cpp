#include "apps/hwsim/predictors.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

namespace hwsim::cli {

std::vector<std::string> predictor_names() { return {"roofline"}; }

PredictorFactory predictor_factory(const std::string& name) {
  if (name == "roofline") return [](const HardwareSpec& s) { return make_roofline_predictor(s); };
  throw Error(fmt::format("--model {}: unknown timing model; expected one of: {}", name,
                          fmt::join(predictor_names(), ", ")));
}

}  // namespace hwsim::cli
