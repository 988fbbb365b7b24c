#pragma once
// Occupancy: how many CTAs of a kernel fit on one SM at once, limited by
// threads, warps, CTA slots, registers (allocated per warp in granules) and
// shared memory (plus the per-CTA reservation), as the CUDA occupancy
// calculator computes it.
#include <cstdint>
#include <string>

#include "models/spec/hardware_spec.hpp"

namespace hwsim {

struct CtaResources {
  int threads;
  int registers_per_thread;
  std::int64_t smem_bytes;  // dynamic + static shared memory of one CTA
};

struct Occupancy {
  int ctas_per_sm;
  std::string limiter;  // "threads", "warps", "ctas", "registers", "smem"
};

// Throws hwsim::Error naming `kernel` when one CTA does not fit at all
// (too many threads or registers, shared memory above the per-block maximum).
Occupancy occupancy(const SmParams& sm, const CtaResources& cta, const std::string& kernel);

}  // namespace hwsim
