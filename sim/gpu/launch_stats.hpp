#pragma once
// Statistics of one kernel launch, accumulated by the units it uses. Shared
// units (L2 slices, HBM channels) attribute each request to the launch that
// made it, so concurrent kernels get separate statistics.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

struct LaunchStats {
  std::int64_t hbm_read = 0, hbm_write = 0;
  std::int64_t l2_read = 0, l2_write = 0, l2_read_hit = 0;
  std::int64_t smem = 0;
  std::int64_t tma_boxes = 0, wgmma = 0;
  std::int64_t tma_cast = 0;             // bytes through the TMA's FP8 cast unit
  std::int64_t hbm_internal = 0;         // bytes read inside the stacks for the near-memory cast
  std::vector<std::int64_t> tagged_ops;  // lane ops per KernelProgram::op_tags entry
  Tick tensor_busy = 0, fp32_busy = 0, int32_busy = 0, sfu_busy = 0;
  Tick tma_busy = 0, smem_busy = 0, l2_busy = 0, hbm_busy = 0;
  std::map<std::string, Tick> stalls;  // "role.reason" -> summed wait ticks
  Tick role_time = 0;                  // summed lifetime of all role threads
  Tick hbm_drain = 0;                  // when this launch's last HBM write completes
  Tick start = 0, end = 0;             // launch start (after launch overhead) and last CTA done
  Tick issued = 0;                     // when the launch was issued on its stream
  std::int64_t ctas = 0;
  int ctas_per_sm = 0;
  std::string occupancy_limiter;
  int sms = 0;
  int l2_servers = 1, hbm_servers = 1;  // bandwidth servers behind l2_busy / hbm_busy
  int cluster_slots = 0;
  int waves = 0;
};

}  // namespace hwsim::sim
