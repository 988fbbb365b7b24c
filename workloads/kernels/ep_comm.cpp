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

const std::vector<KernelParam> kParams = {
    {"link_bytes", "number > 0", "", "bytes", "bytes through the bottleneck network port", {}},
    {"link_GBps", "number > 0", "", "GB/s", "the port's rate for this GPU (from the interconnect model)", {}},
    {"latency_us", "number >= 0", "0", "us", "one chunk through the path", {}},
    {"hbm_read_bytes", "number >= 0", "0", "bytes", "this GPU's HBM reads (send and forward buffers)", {}},
    {"hbm_write_bytes", "number >= 0", "0", "bytes", "this GPU's HBM writes (receive buffers, output)", {}},
    {"chunk_bytes", "number > 0", "", "bytes", "one RDMA write / NVLink send of a channel", {}}};

struct Request {
  double link_bytes, gbps, latency_us, rd, wr, chunk;
};

Request read_request(const KernelDescriptor& d) {
  const ParamReader p(d, kParams);
  const Request r{p.non_negative("link_bytes"),     p.non_negative("link_GBps"),       p.non_negative("latency_us"),
                  p.non_negative("hbm_read_bytes"), p.non_negative("hbm_write_bytes"), p.non_negative("chunk_bytes")};
  if (r.link_bytes <= 0) p.fail("link_bytes", "must be > 0");
  if (r.gbps <= 0) p.fail("link_GBps", "must be > 0");
  if (r.chunk <= 0) p.fail("chunk_bytes", "must be > 0");
  return r;
}

// Its buffers' HBM traffic and the time its bytes take through the port.
KernelWork work(const KernelDescriptor& d) {
  const Request r = read_request(d);
  KernelWork w;
  w.read_bytes = r.rd;
  w.write_bytes = r.wr;
  w.link_s = r.link_bytes / (r.gbps * 1e9) + sim::seconds_from_us(r.latency_us);
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx) {
  const Request r = read_request(d);
  const double link_bytes = r.link_bytes, gbps = r.gbps, latency_us = r.latency_us, rd = r.rd, wr = r.wr,
               chunk = r.chunk;
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
          kParams,
          build,
          work,
          {{"link_bytes", 1.5e8}, {"link_GBps", 40}, {"latency_us", 4}, {"chunk_bytes", 65536}}};
}

}  // namespace hwsim::kernels
