#pragma once
// The configuration a library says it ran for a measured kernel, as the
// params that make the simulator run the same one. hwbench records, for each
// cuBLASLt GEMM, the ids of the algorithm cuBLASLt's heuristic returned
// ("implementation_detail": "... tile_id=184 stages_id=35 splitk=1
// cluster_shape_id=8 ..."); this decodes them (validate/compare/cublaslt_ids.hpp).
#include <nlohmann/json.hpp>
#include <string>

namespace hwsim {

struct LibraryConfig {
  // gemm params: tile_m, tile_n, and cluster_m, cluster_n unless cuBLASLt
  // chose the cluster at run time (CUBLASLT_CLUSTER_SHAPE_AUTO). Empty when the
  // record names no configuration (not cuBLASLt, or recorded before hwbench
  // saved it).
  nlohmann::json params = nlohmann::json::object();
  // Set when the configuration is one the engine does not simulate (split-K,
  // a fixed stage count, an unknown id): the record is then not modelled.
  std::string error;
};

// `record`: one measurement record (records.hpp). Never throws.
LibraryConfig library_config(const nlohmann::json& record);

}  // namespace hwsim
