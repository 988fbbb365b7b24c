#pragma once
// Rebuilds a trace's run with other GPU durations (docs/traces.md, "The
// timeline"): each GPU op starts when its stream is free, the events it waits
// for have happened and its launch has been issued; the CPU keeps its
// measured gaps between calls and is only moved by what it waited for
// (stream, event and device synchronisation), so launch-bound stretches stay
// launch-bound. With the measured durations it gives back the measured
// timeline (a test holds this).
//
// Not modelled: kernels that ran concurrently on different streams keep the
// time each takes alone (no contention between them); one CPU time shift is
// kept per trace, not per thread (autograd's backward thread waits on the
// main thread and the other way round).
#include <string>
#include <vector>

#include "workloads/trace/launch_link.hpp"
#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

struct Iteration {
  std::string name;  // ProfilerStep#N, or "trace" when the trace marks no steps
  double measured_us = 0, predicted_us = 0;
  std::size_t gpu_ops = 0;  // GPU ops launched inside it
};

struct Timeline {
  std::vector<double> start, end;  // predicted, per GPU op (us, the trace's clock)
  std::vector<Iteration> iterations;
  double measured_total_us = 0, predicted_total_us = 0;  // all iterations (or the whole trace)
  double measured_busy_us = 0, predicted_busy_us = 0;    // time some GPU op runs
};

// `durations`: the predicted duration of each GPU op of t (us).
Timeline rebuild_timeline(const Trace& t, const std::vector<Launch>& links, const std::vector<double>& durations);

}  // namespace hwsim::trace
