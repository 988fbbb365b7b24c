#include "models/memory/hbm.hpp"

#include <algorithm>

#include "models/memory/address_hash.hpp"

namespace hwsim {

HbmModel::HbmModel(const HbmParams& p, double window_bytes)
    : channels_(p.channels),
      read_eff_(p.read_efficiency),
      write_eff_(p.write_efficiency),
      copy_eff_(p.copy_efficiency),
      window_bytes_(window_bytes) {}

int HbmModel::channel_of(std::uint64_t key) const {
  // A different mix than the L2 slice hash so slice and channel are independent.
  return static_cast<int>(mix64(key ^ 0x5bd1e995ULL) % static_cast<std::uint64_t>(channels_));
}

double HbmModel::efficiency(double wf) const {
  wf = std::clamp(wf, 0.0, 1.0);
  if (wf <= 0.5) return read_eff_ + (copy_eff_ - read_eff_) * (wf / 0.5);
  return copy_eff_ + (write_eff_ - copy_eff_) * ((wf - 0.5) / 0.5);
}

double HbmModel::record(std::int64_t bytes, bool write) {
  const double a = std::min(1.0, static_cast<double>(bytes) / window_bytes_);
  write_fraction_ = (1.0 - a) * write_fraction_ + a * (write ? 1.0 : 0.0);
  return efficiency(write_fraction_);
}

}  // namespace hwsim
