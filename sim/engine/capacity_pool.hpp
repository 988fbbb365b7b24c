#pragma once
// A pool of `capacity` slots held until known release ticks (TMA boxes in
// flight, outstanding memory requests). Acquiring returns the earliest tick a
// slot is free; the holder states when it will give the slot back.
#include <functional>
#include <queue>
#include <vector>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

// Contract: acquire() is called in non-decreasing `now`; each acquire is
// followed by exactly one hold_until() with a release tick >= the acquire tick.
class CapacityPool {
 public:
  explicit CapacityPool(int capacity = 1) : capacity_(capacity) {}

  Tick acquire(Tick now) {
    while (!releases_.empty() && releases_.top() <= now) releases_.pop();
    if (static_cast<int>(releases_.size()) < capacity_) return now;
    const Tick t = releases_.top();
    releases_.pop();
    return t;
  }
  void hold_until(Tick release) { releases_.push(release); }
  int capacity() const { return capacity_; }
  void clear() { releases_ = {}; }

 private:
  int capacity_;
  std::priority_queue<Tick, std::vector<Tick>, std::greater<>> releases_;
};

}  // namespace hwsim::sim
