#pragma once
// Gpu: one simulated GPU (SMs, TMA units, L2, HBM) that runs kernel programs
// on streams. It owns the scheduler (sim/engine/scheduler.hpp): each launch
// spawns one dispatcher process per cluster slot (the block scheduler) and one
// process per role of each resident CTA. Several streams may run at once on disjoint or shared SM
// sets; they share L2 and HBM bandwidth.
//
// Life cycle: construct, then call run() any number of times; each call
// starts at the simulated time where the previous one ended.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/engine/scheduler.hpp"
#include "sim/engine/time.hpp"
#include "sim/engine/trace_writer.hpp"
#include "sim/gpu/launch_stats.hpp"
#include "sim/gpu/memory_system.hpp"
#include "sim/gpu/sm.hpp"
#include "sim/program/program.hpp"

namespace hwsim::sim {

struct SimOptions {
  std::int64_t chunk_bytes = 2048;         // memory-system transfer and L2 tag granule
  std::string trace_path;                  // empty: no trace
  std::int64_t trace_max_events = 200000;  // cap on kept spans (thinning beyond)
  bool carry_l2 = false;                   // keep L2 contents between launches
};

struct StreamLaunch {
  std::vector<const KernelProgram*> kernels;  // run back to back on this stream
  std::vector<int> sms;                       // SM ids this stream may use; empty = all
};

class Gpu {
 public:
  Gpu(const HardwareSpec& spec, const SimOptions& options);
  ~Gpu();
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;

  // Runs the streams concurrently from the current simulated time until all
  // finish; returns one LaunchStats per kernel, stream by stream.
  std::vector<std::vector<LaunchStats>> run(const std::vector<StreamLaunch>& streams);
  LaunchStats run_one(const KernelProgram& k, const std::vector<int>& sms = {});

  const HardwareSpec& spec() const { return spec_; }
  const ClockDomain& sm_clock() const { return clock_; }
  const SimOptions& options() const { return options_; }
  // Number of SMs a program may be sized for given an SM set (empty = all).
  int sm_count(const std::vector<int>& sms) const {
    return sms.empty() ? spec_.sm.count : static_cast<int>(sms.size());
  }
  void write_trace() const;

  struct Impl;

 private:
  HardwareSpec spec_;
  SimOptions options_;
  ClockDomain clock_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<TraceWriter> trace_;
  std::unique_ptr<MemorySystem> memory_;
  std::vector<Sm> sms_;
};

}  // namespace hwsim::sim
