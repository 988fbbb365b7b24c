#pragma once
// NCCL collectives of a trace through the interconnect model
// (workloads/comm/collectives.hpp): a collective is not a kernel program the
// engine runs but a ring over the group's GPUs, timed by the flow model on
// the GPU description's NVLink and network.
#include <nlohmann/json.hpp>
#include <string_view>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"

namespace hwsim::trace {

// The request kind the mapping table gives NCCL kernels; its params:
// collective (all_reduce, reduce_scatter, all_gather), bytes (the buffer per
// GPU: all-reduce and reduce-scatter input, all-gather output), group_size.
inline constexpr std::string_view kCollectiveKind = "collective";

// The ring collective's time on `spec`, its group placed on whole nodes in
// rank order (the first node filled first). An error (a bad param, a group
// the fabric cannot hold) is returned, not thrown.
Prediction predict_collective(const HardwareSpec& spec, const nlohmann::json& params);

}  // namespace hwsim::trace
