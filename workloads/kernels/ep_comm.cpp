// ep_comm: an expert-parallel all-to-all kernel (DeepEP-style dispatch or
// combine, V3 3.2.2) as the GPU running it sees it: one CTA per SM it is given
// (DeepEP launches 20 for V3's training, REFERENCE A2), each looping over the
// chunks of its channel. Per chunk a CTA reads its share of the kernel's HBM
// reads (the tokens it sends, the RDMA buffer it forwards), waits for the
// chunk to cross the bottleneck network port, and writes its share of the HBM
// writes (receive buffers, the forwarded copy, the output). The port's rate
// and latency come from the interconnect model (workloads/comm: the
// flow-level bound of this GPU's IB or NVLink phase and the pipeline fill),
// so what the engine adds is what the cluster model cannot see: the kernel's
// HBM and L2 traffic and SM-side copies contending with the compute kernels
// beside it, and the compute kernels' loss of the SMs it holds.
//
// Params: link_bytes (bytes through the bottleneck port), link_GBps (its rate
// for this GPU), latency_us (one chunk through the path), hbm_read_bytes,
// hbm_write_bytes (this GPU's, from the data-flow model), chunk_bytes (one
// RDMA write / NVLink send of a channel).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/engine/time.hpp"
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 512;   // DeepEP internode dispatch CTA (REFERENCE A2: grid 20 x 512 threads)
constexpr int kRegisters = 64;  // assumption: a copy-and-signal loop; occupancy is one CTA per SM anyway

const std::vector<std::string> kParams = {"link_bytes",     "link_GBps",       "latency_us",
                                          "hbm_read_bytes", "hbm_write_bytes", "chunk_bytes"};

double non_negative(const KernelDescriptor& d, const ParamReader& p, const char* key, bool required) {
  const auto it = d.params.find(key);
  if (it == d.params.end()) {
    if (required) p.fail(key, "is required");
    return 0;
  }
  if (!it->is_number() || it->get<double>() < 0) p.fail(key, "must be a number >= 0");
  return it->get<double>();
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const ParamReader p(d, kParams);
  const double link_bytes = non_negative(d, p, "link_bytes", true);
  const double gbps = non_negative(d, p, "link_GBps", true);
  const double latency_us = non_negative(d, p, "latency_us", false);
  const double rd = non_negative(d, p, "hbm_read_bytes", false);
  const double wr = non_negative(d, p, "hbm_write_bytes", false);
  const double chunk = non_negative(d, p, "chunk_bytes", true);
  if (link_bytes <= 0) p.fail("link_bytes", "must be > 0");
  if (gbps <= 0) p.fail("link_GBps", "must be > 0");
  if (chunk <= 0) p.fail("chunk_bytes", "must be > 0");
  const auto units = static_cast<std::int64_t>(std::ceil(link_bytes / chunk));
  // Shares of the HBM traffic per chunk, in 16-byte vectors.
  auto per_unit = [units](double total) {
    return static_cast<std::int64_t>(std::ceil(total / static_cast<double>(units) / 16.0)) * 16;
  };
  const std::int64_t r_unit = per_unit(rd), w_unit = per_unit(wr);
  const auto link_unit = static_cast<std::int64_t>(std::ceil(link_bytes / static_cast<double>(units)));
  const std::int64_t r_total = std::max<std::int64_t>(r_unit * units, 16),
                     w_total = std::max<std::int64_t>(w_unit * units, 16);
  std::vector<TensorDesc> tensors = {{"send/forward buffers", 1, r_total, 1}, {"receive buffers", 1, w_total, 1}};
  const StreamingDesign design{kThreads, kRegisters, 0, true, 1};
  KernelProgram k =
      streaming_program(d.kind, ctx, design, tensors, units, [=](std::int64_t u, std::int64_t, OpList& out) {
        if (r_unit > 0) out.push_back(ld_global(0, u * r_unit, r_unit));
        out.push_back(link(0, link_unit));
        if (w_unit > 0) out.push_back(st_global(1, u * w_unit, w_unit));
      });
  k.links = {{"bottleneck port", gbps * 1e9, sim::seconds_from_us(latency_us)}};
  k.notes = {{"chunks", std::to_string(units)},
             {"link", fmt::format("{:.1f} GB/s, {:.2f} us per chunk through the path", gbps, latency_us)}};
  return k;
}

}  // namespace

KernelDef ep_comm_kernel() {
  return {"ep_comm",
          "DeepEP-style expert-parallel dispatch/combine: one CTA per SM held, chunks paced by the network port the "
          "interconnect model gives, HBM reads and writes of its buffers",
          kParams, build};
}

}  // namespace hwsim::kernels
