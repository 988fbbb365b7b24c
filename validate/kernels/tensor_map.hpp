// The driver's tensor-map encoder (cuTensorMapEncodeTiled), fetched through
// the runtime's entry-point query so hwbench links no libcuda. Shared by the
// TMA microbenchmarks.
#pragma once
#include <cuda.h>
#include <cudaTypedefs.h>

#include "bench_context.hpp"

namespace hwbench {

inline PFN_cuTensorMapEncodeTiled_v12000 tensor_map_encoder() {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult q{};
  HWB_CUDA(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &fn, 12000, cudaEnableDefault, &q));
  if (q != cudaDriverEntryPointSuccess || fn == nullptr) {
    throw BenchError("cuTensorMapEncodeTiled is not available from the driver");
  }
  return reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(fn);
}

}  // namespace hwbench
