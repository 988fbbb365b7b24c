#include "apps/hwsim/fp8_error.hpp"

#include <fmt/format.h>

#include "models/numerics/accumulator.hpp"
#include "models/numerics/error_study.hpp"
#include "models/numerics/random_matrices.hpp"

namespace hwsim::cli {

numerics::AccumulatorParams accumulator_of(const HardwareSpec& spec) {
  numerics::AccumulatorParams p = numerics::accumulator_preset("hopper");
  p.fraction_bits = spec.tensor_core.fp8_accum_fraction_bits;
  p.name = fmt::format("{}: hopper rule, {} fraction bits", spec.name, p.fraction_bits);
  return p;
}

nlohmann::json fp8_gemm_error(const HardwareSpec& spec, const Fp8ErrorOptions& o) {
  numerics::ErrorStudy s;
  s.ks = {o.k};
  s.m = o.m;
  s.n = o.n;
  s.seed = o.seed;
  s.distribution = numerics::random_distribution_by_name(o.distribution);
  const numerics::AccumulatorParams acc = accumulator_of(spec);
  s.configs = {{acc.name, {acc, o.promote_every}}};
  const numerics::ErrorRow r = numerics::run_error_study(s).at(0);
  return {{"k", o.k},
          {"m", o.m},
          {"n", o.n},
          {"seed", o.seed},
          {"distribution", o.distribution},
          {"fraction_bits", acc.fraction_bits},
          {"promote_every", o.promote_every ? nlohmann::json(*o.promote_every) : nlohmann::json(nullptr)},
          {"max_rel", r.max_rel},
          {"mean_rel", r.mean_rel},
          {"norm_rel", r.norm_rel}};
}

}  // namespace hwsim::cli
