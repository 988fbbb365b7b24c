#pragma once
// cuBLASLt's configuration ids (cublasLt.h enums) as the shapes they name,
// for decoding the configuration a validation record says cuBLASLt ran. The
// table is generated (scripts/gen_cublaslt_ids.py) from the header's enum
// list kept with the data (validate/data/cublaslt_enums.txt).
#include <vector>

namespace hwsim::cublaslt {

// CUBLASLT_MATMUL_TILE_<rows>x<cols>: the tile of C/D in cuBLAS's
// column-major rows x columns.
struct TileId {
  int id, rows, cols;
};
// CUBLASLT_MATMUL_STAGES_<k>x<stages>: K elements per stage; stages 0 = AUTO.
struct StagesId {
  int id, k, stages;
};
// CUBLASLT_CLUSTER_SHAPE_<x>x<y>x<z>: CTAs of a cluster along cuBLAS's M, N
// and (split) K.
struct ClusterId {
  int id, x, y, z;
};

const std::vector<TileId>& tile_ids();
const std::vector<StagesId>& stages_ids();
const std::vector<ClusterId>& cluster_ids();

}  // namespace hwsim::cublaslt
