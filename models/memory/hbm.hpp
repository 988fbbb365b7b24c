#pragma once
// HbmModel: channel mapping and the sustained efficiency of HBM as a function
// of the read/write mix (a bus turnaround costs bandwidth, so a 1:1 copy runs
// below pure streaming reads). The mix is tracked as a byte-weighted moving
// write fraction over a window of recent traffic.
#include <cstdint>

#include "models/spec/hardware_spec.hpp"

namespace hwsim {

class HbmModel {
 public:
  // Contract: window_bytes > 0 (the span of traffic the mix is averaged over).
  HbmModel(const HbmParams& p, double window_bytes);

  int channel_of(std::uint64_t key) const;
  int channels() const { return channels_; }
  // Records a transfer and returns the efficiency (fraction of peak) to
  // charge it at, given the mix including it.
  double record(std::int64_t bytes, bool write);
  double write_fraction() const { return write_fraction_; }
  // Piecewise-linear in the write fraction through the three sourced points
  // (reads only, 1:1 copy, writes only).
  double efficiency(double write_fraction) const;
  void reset() { write_fraction_ = 0.0; }

 private:
  int channels_;
  double read_eff_, write_eff_, copy_eff_;
  double window_bytes_;
  double write_fraction_ = 0.0;
};

}  // namespace hwsim
