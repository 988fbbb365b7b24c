#pragma once
// The SM clock a power-capped GPU sustains for a kernel's activity.
//
// At the 700 W cap a Hopper GPU lowers its SM clock under heavy tensor-core
// load (FlashMLA's notes: H800 throttles to ~1600 MHz; our H100 records show
// 1.1-1.98 GHz across large GEMMs). Dynamic power scales as C V^2 f and, in
// the DVFS range, V roughly with f, so power ~ f^e (e = power.dvfs_exponent).
// Calibration: a wgmma stream reading fresh operands (as a GEMM's main loop
// does) would settle at power.<dtype>_mma_full_load_MHz with its tensor cores
// 100% busy, which fixes the tensor cores' share of the budget: a load of
// w = (f_max / f_full)^e at f_max.
// A kernel whose tensor cores are busy a fraction u of the time puts a load
// u w on the budget; the clock is f_max min(1, (u w)^(-1/e)).
//
// The time a lower clock costs is first order: the tensor-busy share of the
// kernel stretches by f_max / f, the rest (memory-bound phases) does not. The
// busy share grows as the clock falls, so clock and time are solved together
// by fixed-point iteration.
//
// HBM traffic draws power that does not scale with the SM clock: a share h per
// TB/s of the budget (power.hbm_budget_share_per_TBps, calibrated on the H100
// by a wgmma stream on 112 SMs with and without a copy beside it). The SMs get
// the rest: the clock is f_max min(1, (u w / (1 - h T))^(-1/e)) for T TB/s of
// the kernel's own traffic plus what other kernels beside it move. Reads the
// L2 serves draw a share h2 per TB/s the same way (power.l2_budget_share_per_TBps,
// calibrated by an L2-resident read stream beside the wgmma stream); HBM
// bytes already pay for their trip through the L2 in h. A kernel's own traffic
// rate falls as its time stretches, so it enters the fixed point at the
// stretched time; traffic beside it does not. CUDA-core power is not modelled
// (docs/engine.md, "Power").
//
// `budget` scales what the cap allows: 1 is the budget of a GPU that has been
// at full load for seconds (where the calibration streams settle); a rested
// GPU allows more for a while (models/power/controller.hpp).
#include "models/spec/hardware_spec.hpp"

namespace hwsim {

struct DvfsResult {
  double sm_clock_mhz;  // the clock the cap allows
  double time_scale;    // kernel time at that clock / kernel time at f_max
  double tensor_busy;   // tensor-busy fraction at that clock
  double load;          // power load relative to the budget at f_max (> 1: throttled)
  double drawn = 0;     // power drawn at that clock, in units of the sustained budget
};

// `tensor_busy` is the fraction of the SMs' tensor-core time busy at the
// maximum clock; `mma_type` the data type of the MMAs; `hbm_TBps` HBM traffic
// that does not stretch with this kernel (other kernels beside it);
// `own_hbm_TBps` and `own_l2_TBps` this kernel's HBM traffic and L2-hit reads
// at the maximum clock.
DvfsResult power_capped_clock(const HardwareSpec& spec, double tensor_busy, DataType mma_type, double hbm_TBps = 0,
                              double own_hbm_TBps = 0, double own_l2_TBps = 0, double budget = 1.0);

}  // namespace hwsim
