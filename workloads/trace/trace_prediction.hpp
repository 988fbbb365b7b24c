#pragma once
// A trace's kernels as hwsim predicts them (issue 23): each GPU op mapped
// (op_map.hpp), the distinct hwsim kernels to simulate (identical launches
// once), the predicted time of each GPU op from their results, and the
// rebuilt timeline. How the kernels are simulated (which GPU, proposals, the
// processes) is the caller's: it hands back one Prediction per request.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/kernel_predictor.hpp"
#include "workloads/trace/launch_link.hpp"
#include "workloads/trace/op_map.hpp"
#include "workloads/trace/timeline.hpp"
#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

struct KernelRow {
  Mapping mapping;
  bool backward = false;
  std::string forward_op;     // the forward op of a backward kernel (sequence number), if found
  std::int64_t request = -1;  // index into TraceKernels::requests; -1: unmapped
  bool removed = false;       // a proposal removed the kernel (it takes no time)
  std::string change;         // what a proposal did to it
};

struct TraceKernels {
  Trace trace;
  std::vector<Launch> links;
  std::vector<KernelRow> rows;          // one per Trace::gpu
  std::vector<KernelRequest> requests;  // distinct hwsim kernels, in order of first use
};

// Maps every GPU op of `t` and collects the distinct requests.
TraceKernels map_trace(Trace t);

// The duration of each GPU op: a mapped op's predicted kernel time (its
// Prediction's detail.kernel_time_us, else time_us), shared among the kernels
// its CPU op launched in proportion to their measured times; an unmapped op,
// or one whose simulation failed, its measured time (the failure is recorded
// in `failures`, by request). `predictions` is parallel to k.requests.
// Every predicted op's span also holds `span_us`, the part of a profiler's
// span beyond the work (launch.profiler_span_us).
std::vector<double> predicted_durations(const TraceKernels& k, const std::vector<Prediction>& predictions,
                                        double span_us, std::vector<std::string>& failures);

}  // namespace hwsim::trace
