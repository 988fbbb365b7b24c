#pragma once
// What a communication kernel's data-flow model yields: its time with the
// component that bounds it, which bytes crossed which links, and what it takes
// from the compute kernels running beside it (SMs held, HBM bytes moved), so
// the engine can later run it as a kernel program concurrent with GEMMs.
#include <nlohmann/json.hpp>
#include <string>

namespace hwsim::comm {

struct CommKernelResult {
  std::string name;  // e.g. "deepep.internode_dispatch"
  double time_s = 0;
  std::string bound;    // "ib", "nvlink", "sm", "coprocessor" (the copy work without SMs), "latency"
  double ib_s = 0;      // IB phase alone (slowest GPU)
  double nvlink_s = 0;  // NVLink phase alone (slowest GPU)
  double sm_s = 0;      // SM copy work alone (slowest GPU)
  double fill_s = 0;    // pipeline fill and latencies
  int sms_held = 0;     // SMs taken from compute while it runs
  // Per GPU (the slowest GPU of the group).
  double ib_tx_bytes = 0;
  double nvlink_tx_bytes = 0;
  double hbm_read_bytes = 0;
  double hbm_write_bytes = 0;
  // The bandwidth DeepEP's tests print: bottleneck-domain bytes of the
  // slowest GPU over the kernel time (RDMA bytes count the tokens to every
  // node the token reaches, its own included, as DeepEP's test counts them).
  double reported_Bps = 0;
  bool explicit_flows = false;  // explicit max-min simulation or symmetry shortcut
  // Chunking, for turning the data flow into a kernel program: the channels
  // (2 SMs each) the bytes are split over and the chunk each channel moves
  // per RDMA write / NVLink send.
  int channels = 0;
  double ib_chunk_bytes = 0;
  double nvlink_chunk_bytes = 0;

  nlohmann::json to_json() const;
};

}  // namespace hwsim::comm
