#include "workloads/trace/collective_time.hpp"

#include <fmt/format.h>

#include "models/interconnect/cluster.hpp"
#include "workloads/comm/collectives.hpp"

namespace hwsim::trace {

Prediction predict_collective(const HardwareSpec& spec, const nlohmann::json& params) {
  Prediction p;
  try {
    const std::string kind = params.at("collective").get<std::string>();
    const double bytes = params.at("bytes").get<double>();
    const int group = params.at("group_size").get<int>();
    if (group < 2 || bytes <= 0) throw std::runtime_error("a collective needs 2 or more GPUs and some bytes");
    const int per_node = spec.fabric.gpus_per_node;
    const int gpus = (group + per_node - 1) / per_node * per_node;
    const interconnect::Cluster cluster(interconnect::ClusterParams::from_spec(spec, gpus));
    std::vector<int> members;
    for (int g = 0; g < group; ++g) members.push_back(g);
    const comm::Collective c = kind == "all_reduce"       ? comm::Collective::kAllReduce
                               : kind == "reduce_scatter" ? comm::Collective::kReduceScatter
                                                          : comm::Collective::kAllGather;
    const comm::CommKernelResult r = comm::ring_collective(cluster, c, bytes, members);
    p.time_us = r.time_s * 1e6;
    p.detail = {{"kernel_time_us", r.time_s * 1e6}, {"bound", r.bound}};
  } catch (const std::exception& e) {
    p.error = fmt::format("collective {}: {}", params.dump(), e.what());
  }
  return p;
}

}  // namespace hwsim::trace
