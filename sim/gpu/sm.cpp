#include "sim/gpu/sm.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "sim/gpu/units/cuda_core_pipes.hpp"
#include "sim/gpu/units/implementations.hpp"
#include "sim/gpu/units/load_store_unit.hpp"
#include "sim/gpu/units/mbarrier_unit.hpp"
#include "sim/gpu/units/tensor_pipe.hpp"

namespace hwsim::sim {

Sm::Sm(const HardwareSpec& spec, const ClockDomain& clock, TraceWriter* trace, int index) {
  // Construction order fixes the trace tracks' order: tensor, CUDA cores, TMA.
  units_.push_back(std::make_unique<TensorPipe>(spec, clock, trace, index));
  units_.push_back(std::make_unique<CudaCorePipes>(spec, clock, trace, index));
  units_.push_back(tma_implementations().make(spec, TmaEnv{spec, clock, trace, index}));
  units_.push_back(std::make_unique<LoadStoreUnit>(spec, clock));
  units_.push_back(std::make_unique<MbarrierUnit>());
  units_.push_back(std::make_unique<NetworkPort>());
  for (const auto& u : units_) {
    for (OpKind k : u->ops()) {
      if (by_op_[static_cast<size_t>(k)] != nullptr)
        throw Error(fmt::format("internal: two SM units take op kind {}", static_cast<int>(k)));
      by_op_[static_cast<size_t>(k)] = u.get();
    }
  }
  for (SmUnit* u : by_op_) {
    if (u == nullptr) throw Error("internal: an op kind has no SM unit");
  }
}

void Sm::end_run() {
  for (const auto& u : units_) u->end_run();
}

}  // namespace hwsim::sim
