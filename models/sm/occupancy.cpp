#include "models/sm/occupancy.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"

namespace hwsim {

Occupancy occupancy(const SmParams& sm, const CtaResources& cta, const std::string& kernel) {
  if (cta.threads <= 0 || cta.threads > sm.max_threads) {
    throw Error(
        fmt::format("kernel {}: {} threads per CTA; the SM holds at most {}", kernel, cta.threads, sm.max_threads));
  }
  if (cta.registers_per_thread > sm.max_registers_per_thread) {
    throw Error(fmt::format("kernel {}: {} registers per thread exceed the limit of {}", kernel,
                            cta.registers_per_thread, sm.max_registers_per_thread));
  }
  if (cta.smem_bytes > sm.smem_per_block_max_bytes) {
    throw Error(fmt::format(
        "kernel {}: the CTA needs {} bytes of shared memory; a CTA may use at most {} (sm.smem_per_block_max_bytes)",
        kernel, cta.smem_bytes, sm.smem_per_block_max_bytes));
  }
  const int warps = (cta.threads + 31) / 32;
  Occupancy o{sm.max_ctas, "ctas"};
  auto limit = [&](int n, const char* why) {
    if (n < o.ctas_per_sm) o = {n, why};
  };
  limit(sm.max_threads / (warps * 32), "threads");
  limit(sm.max_warps / warps, "warps");
  const int unit = sm.register_alloc_unit;
  const int regs_per_warp = (cta.registers_per_thread * 32 + unit - 1) / unit * unit;
  if (regs_per_warp > 0) limit(sm.registers / (regs_per_warp * warps), "registers");
  const std::int64_t smem = cta.smem_bytes + sm.smem_reserved_per_block_bytes;
  if (smem > 0) limit(static_cast<int>(sm.smem_capacity_bytes / smem), "smem");
  if (o.ctas_per_sm < 1)
    throw Error(fmt::format("kernel {}: one CTA does not fit on an SM ({} limit)", kernel, o.limiter));
  return o;
}

}  // namespace hwsim
