#pragma once
// Timing primitives without processes: a request computes its completion
// tick in O(1) and the requester waits until then. FIFO order is the order
// of requests, which SystemC delivers in simulated-time order.
#include <algorithm>
#include <cstdint>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

// A port or pipe with a rate (units per tick) and a fixed latency: service
// starts when the server is free, lasts size / rate, and the result is
// available `latency` after the service ends.
// Contract: rate > 0; `arrival` may lie in the future (a request that reaches
// this server after an upstream latency), never before a previous arrival by
// more than that latency.
class BandwidthServer {
 public:
  BandwidthServer() = default;
  BandwidthServer(double units_per_tick, Tick latency) : rate_(units_per_tick), latency_(latency) {}

  struct Grant {
    Tick start;
    Tick end;   // service finished, the server may take the next request
    Tick done;  // end + latency
  };

  Grant request(Tick arrival, double units) {
    const Tick start = std::max(arrival, next_free_);
    const Tick service = static_cast<Tick>(units / rate_ + 0.5);
    next_free_ = start + service;
    busy_ += service;
    return {start, next_free_, next_free_ + latency_};
  }
  Tick next_free() const { return next_free_; }
  Tick busy_ticks() const { return busy_; }
  void reset_busy() { busy_ = 0; }
  double rate() const { return rate_; }
  void set_rate(double units_per_tick) { rate_ = units_per_tick; }

 private:
  double rate_ = 1.0;
  Tick latency_ = 0;
  Tick next_free_ = 0;
  Tick busy_ = 0;
};

// A pipeline accepts one operation per `issue interval` (which may differ per
// operation) and delivers its result `latency` after issue.
class Pipeline {
 public:
  struct Grant {
    Tick issue;
    Tick done;
  };
  Grant issue(Tick arrival, Tick interval, Tick latency) {
    const Tick t = std::max(arrival, next_issue_);
    next_issue_ = t + interval;
    busy_ += interval;
    return {t, t + std::max(latency, interval)};
  }
  Tick busy_ticks() const { return busy_; }
  void reset_busy() { busy_ = 0; }

 private:
  Tick next_issue_ = 0;
  Tick busy_ = 0;
};

}  // namespace hwsim::sim
