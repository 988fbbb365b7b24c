#pragma once
// Flow-level network model: max-min fair sharing of link bandwidth between
// flows, by progressive filling (Bertsekas & Gallager, Data Networks, 2nd ed.,
// 6.5.2), and an event-driven simulation of flows that start and finish at
// different times (rates re-solved at every arrival and completion).
//
// Flow level is what keeps a 2,048-GPU cluster tractable: a flow is a stream of
// bytes along a fixed path of links, not a sequence of packets. Inside a node
// the chunk-level pipeline (chunk_pipeline.hpp) refines what a flow cannot
// see: per-chunk latency and pipelining fill.
#include <span>
#include <vector>

namespace hwsim::interconnect {

// A flow crosses the links listed (indices into a capacity vector), each once.
struct Flow {
  std::vector<int> links;
};

// Contract: capacities in bytes per second, all > 0; every flow has at least
// one link, all indices valid. Returns one rate per flow (bytes per second):
// no link is over-subscribed, and no flow can gain rate without taking it
// from a flow whose rate is not larger (max-min fairness). Throws hwsim::Error
// naming the flow or link on bad input.
std::vector<double> max_min_rates(std::span<const double> capacities, std::span<const Flow> flows);

struct TimedFlow {
  std::vector<int> links;
  double bytes = 0;      // > 0
  double start_s = 0;    // when its first byte may leave
  double latency_s = 0;  // added to its completion (propagation + per-message costs)
};

struct FlowSimulation {
  std::vector<double> finish_s;  // per flow: last byte delivered (including latency_s)
  double makespan_s = 0;         // latest finish
  int rate_solves = 0;           // progressive-filling solves, summed over independent components
};

// Explicit simulation: rates are max-min fair among the flows active at each
// moment and re-solved whenever a flow arrives or completes. Flows whose
// completions fall within a relative 1e-9 of each other complete together.
// Groups of flows that share no link are simulated independently (exact).
FlowSimulation simulate_flows(std::span<const double> capacities, std::span<const TimedFlow> flows);

}  // namespace hwsim::interconnect
