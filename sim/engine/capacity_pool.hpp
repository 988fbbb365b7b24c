#pragma once
// A pool of `capacity` slots held until known release ticks (TMA boxes in
// flight, outstanding memory requests). Acquiring returns the earliest tick a
// slot is free; the holder states when it will give the slot back.
#include <algorithm>
#include <cstddef>
#include <vector>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

// Contract: acquire() is called in non-decreasing `now`; each acquire is
// followed by exactly one hold_until() with a release tick >= the acquire tick.
class CapacityPool {
 public:
  explicit CapacityPool(int capacity = 1) : capacity_(capacity) {}

  Tick acquire(Tick now) {
    while (first_ < releases_.size() && releases_[first_] <= now) ++first_;
    if (static_cast<int>(releases_.size() - first_) < capacity_) return now;
    return releases_[first_++];
  }
  void hold_until(Tick release) {
    // Only the multiset of release ticks matters (acquire takes the earliest),
    // so a sorted array serves: releases arrive nearly in order, and the
    // insertion lands at or near the end.
    if (first_ >= kCompactAfter) {
      releases_.erase(releases_.begin(), releases_.begin() + static_cast<std::ptrdiff_t>(first_));
      first_ = 0;
    }
    releases_.insert(
        std::upper_bound(releases_.begin() + static_cast<std::ptrdiff_t>(first_), releases_.end(), release), release);
  }
  int capacity() const { return capacity_; }
  void clear() {
    releases_.clear();
    first_ = 0;
  }

 private:
  static constexpr std::size_t kCompactAfter = 64;  // released entries kept before the array is compacted
  int capacity_;
  std::vector<Tick> releases_;  // ascending; [first_, end) are held
  std::size_t first_ = 0;
};

}  // namespace hwsim::sim
