#pragma once
// Timing rule of one wgmma (m64nNkK) on an SM's tensor cores. One warpgroup's
// wgmma spreads over the four sub-partition tensor cores and uses the SM's
// whole MMA rate (REFERENCE E3: 2*64*256*16 / 4096 = 128 cycles, the measured
// m64n256k16 BF16 latency). The occupancy of the pipe is FLOPs / rate; the
// latency scales the measured m64n256 latency by the instruction's FLOPs
// relative to m64n256 of the same dtype, floored at the small-N latency.
#include "models/spec/hardware_spec.hpp"

namespace hwsim {

struct WgmmaTiming {
  double issue_cycles;    // cycles the SM's tensor pipe is occupied
  double latency_cycles;  // issue to accumulator ready
};

// Contract: m = 64, n in [8, 256], k = 32 bytes worth of K (k16 BF16, k32 FP8).
WgmmaTiming wgmma_timing(const TensorCoreParams& tc, DataType dtype, int m, int n, int k);
// K of one wgmma for an input dtype (32 bytes of K per row).
int wgmma_k(DataType dtype);

}  // namespace hwsim
