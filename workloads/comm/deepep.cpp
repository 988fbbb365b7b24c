#include "workloads/comm/deepep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "models/interconnect/chunk_pipeline.hpp"
#include "models/interconnect/traffic.hpp"
#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::comm {
namespace {

using interconnect::Cluster;
using interconnect::ClusterParams;
using interconnect::Route;
using interconnect::Transfer;

// Per-GPU byte tallies of one kernel.
struct Tally {
  explicit Tally(int n) : ib_tx(n), nvl_tx(n), sm_forward(n), sm_send_recv(n), hbm_read(n), hbm_write(n), reported(n) {}
  std::vector<double> ib_tx, nvl_tx, sm_forward, sm_send_recv, hbm_read, hbm_write, reported;
};

// Transfers keyed by (src, dst) so that many senders' tokens through one
// forwarder become one flow per GPU pair.
class TransferSet {
 public:
  void add(int src, int dst, double bytes, int messages) {
    if (bytes <= 0) return;
    auto& t = pairs_[{src, dst}];
    t.src = src;
    t.dst = dst;
    t.bytes += bytes;
    t.messages += messages;
  }
  std::vector<Transfer> list() const {
    std::vector<Transfer> out;
    for (const auto& [key, t] : pairs_) out.push_back({t.src, t.dst, t.bytes, std::max(1, t.messages)});
    return out;
  }

 private:
  std::map<std::pair<int, int>, Transfer> pairs_;
};

double phase_s(const Cluster& c, const std::vector<Transfer>& t, Route route, bool explicit_flows) {
  if (t.empty()) return 0;
  return explicit_flows ? interconnect::simulate_transfers(c, t, route).makespan_s
                        : interconnect::bottleneck_time_s(c, t, route).time_s;
}

int messages(double tokens, int chunk) { return static_cast<int>(std::ceil(tokens / chunk)); }

void check_config(const DeepEpConfig& cfg, const HardwareSpec& spec) {
  if (cfg.num_sms <= 0 || cfg.num_sms % 2 != 0 || cfg.num_sms >= spec.sm.count) {
    throw Error(fmt::format("DeepEP kernel: num_sms = {} must be even, > 0 and < sm.count = {} (2 SMs per channel)",
                            cfg.num_sms, spec.sm.count));
  }
  if (cfg.rdma_chunk_tokens <= 0 || cfg.nvl_chunk_tokens <= 0) throw Error("DeepEP kernel: chunk sizes must be > 0");
}

// Assembles the result from the phases: links and SM roles run concurrently
// on a chunk pipeline, so the kernel takes the slowest of them plus the fill
// of one chunk through every stage and one notify round (the layout exchange
// DeepEP runs before the data moves).
CommKernelResult finish(std::string name, const Cluster& c, const Tally& t, double ib_s, double nvl_s,
                        const CopyResource& copy, double chunk_ib_bytes, double chunk_nvl_bytes, bool explicit_flows) {
  const auto& p = c.params();
  CommKernelResult r;
  r.name = std::move(name);
  r.sms_held = copy.sms_held;
  r.explicit_flows = explicit_flows;
  r.channels = copy.sms_held / 2;
  r.ib_chunk_bytes = chunk_ib_bytes;
  r.nvlink_chunk_bytes = chunk_nvl_bytes;
  r.ib_s = ib_s;
  r.nvlink_s = nvl_s;
  int worst = 0;
  for (int g = 0; g < c.gpus(); ++g) {
    const size_t i = static_cast<size_t>(g);
    const double fwd = copy.forward_Bps > 0 ? t.sm_forward[i] / copy.forward_Bps : 0;
    const double sr = copy.send_recv_Bps > 0 ? t.sm_send_recv[i] / copy.send_recv_Bps : 0;
    r.sm_s = std::max({r.sm_s, fwd, sr});
    if (t.reported[i] > t.reported[static_cast<size_t>(worst)]) worst = g;
  }
  // Fill: one chunk through IB and NVLink. Store-and-forward through the
  // relay's HBM serialises the two hops per chunk; a fabric that forwards in
  // hardware cuts through (only the latencies add).
  std::vector<interconnect::ChunkStage> stages;
  if (chunk_ib_bytes > 0) stages.push_back({p.nic_Bps, p.nic_message_s, p.nic_latency_s});
  stages.push_back({p.nvlink_Bps, 0, p.nvlink_latency_s});
  const double chunk = chunk_ib_bytes > 0 ? chunk_ib_bytes : chunk_nvl_bytes;
  const double notify = (chunk_ib_bytes > 0 ? p.nic_latency_s : 0) + p.nvlink_latency_s;
  r.fill_s = copy.relay_store_and_forward ? interconnect::chunked_transfer_s(chunk, chunk, stages) + notify
                                          : notify + copy.latency_s;
  if (copy.relay_store_and_forward) r.fill_s += copy.latency_s;
  const double body = std::max({ib_s, nvl_s, r.sm_s});
  // The copy work is the SMs' unless the resource holds none (a co-processor).
  const char* copier = copy.sms_held > 0 ? "sm" : "coprocessor";
  r.bound = body == r.sm_s ? copier : body == ib_s ? "ib" : "nvlink";
  r.time_s = body + r.fill_s;
  const size_t w = static_cast<size_t>(worst);
  r.ib_tx_bytes = t.ib_tx[w];
  r.nvlink_tx_bytes = *std::max_element(t.nvl_tx.begin(), t.nvl_tx.end());
  r.hbm_read_bytes = *std::max_element(t.hbm_read.begin(), t.hbm_read.end());
  r.hbm_write_bytes = *std::max_element(t.hbm_write.begin(), t.hbm_write.end());
  r.reported_Bps = t.reported[w] / r.time_s;
  return r;
}

CopyResource copy_of(const HardwareSpec& spec, const DeepEpConfig& cfg) {
  return cfg.copy ? *cfg.copy : sm_copy_resource(spec, cfg);
}

Cluster ep_cluster(const HardwareSpec& spec, const EpRouting& routing) {
  if (routing.options.gpus_per_node != spec.fabric.gpus_per_node) {
    throw Error(fmt::format("routing assumes {} GPUs per node but {} has fabric.gpus_per_node = {}",
                            routing.options.gpus_per_node, spec.name, spec.fabric.gpus_per_node));
  }
  return Cluster(ClusterParams::from_spec(spec, routing.ep()));
}

}  // namespace

CopyResource sm_copy_resource(const HardwareSpec& spec, const DeepEpConfig& cfg) {
  const double per_role = cfg.num_sms / 2 * spec.sm.peer_copy_GBps * 1e9;
  return {per_role, per_role, cfg.num_sms, 0.0, true};
}

CommKernelResult internode_dispatch(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& pay,
                                    const DeepEpConfig& cfg) {
  check_config(cfg, spec);
  const Cluster c = ep_cluster(spec, r);
  if (r.nodes < 2) throw Error("internode dispatch needs an EP group over at least 2 nodes; use intranode_dispatch");
  const int ep = r.ep(), per_node = c.params().gpus_per_node;
  const double P = pay.dispatch_bytes, logical = pay.fp8_hidden_bytes + pay.scale_bytes;
  Tally t(ep);
  TransferSet ib, nvl;
  for (int src = 0; src < ep; ++src) {
    for (int n = 0; n < r.nodes; ++n) {
      const double tokens = r.node_count(src, n);
      if (tokens == 0) continue;
      const int relay = n == c.node_of(src) ? src : c.gpu(n, c.local_of(src));
      t.sm_send_recv[static_cast<size_t>(src)] += tokens * P;  // sender copies into the RDMA buffer
      t.hbm_read[static_cast<size_t>(src)] += tokens * P;
      t.hbm_write[static_cast<size_t>(src)] += tokens * P;
      t.reported[static_cast<size_t>(src)] += tokens * logical;
      if (relay != src) {
        ib.add(src, relay, tokens * P, messages(tokens, cfg.rdma_chunk_tokens));
        t.ib_tx[static_cast<size_t>(src)] += tokens * P;
        t.hbm_read[static_cast<size_t>(src)] += tokens * P;     // NIC reads the send buffer
        t.hbm_write[static_cast<size_t>(relay)] += tokens * P;  // NIC writes the receive buffer
      }
      for (int d = n * per_node; d < (n + 1) * per_node; ++d) {
        const double to_d = r.gpu_count(src, d);
        if (to_d == 0) continue;
        t.sm_forward[static_cast<size_t>(relay)] += to_d * P;  // forwarder copies out of the RDMA buffer
        t.hbm_read[static_cast<size_t>(relay)] += to_d * P;
        t.hbm_write[static_cast<size_t>(d)] += to_d * P;     // into d's NVLink buffer
        t.sm_send_recv[static_cast<size_t>(d)] += to_d * P;  // receiver copies to the output
        t.hbm_read[static_cast<size_t>(d)] += to_d * P;
        t.hbm_write[static_cast<size_t>(d)] += to_d * P;
        if (d != relay) {
          nvl.add(relay, d, to_d * P, 0);
          t.nvl_tx[static_cast<size_t>(relay)] += to_d * P;
        }
      }
    }
  }
  const bool exp = cfg.explicit_flows || r.options.skewed;
  const double ib_s = phase_s(c, ib.list(), Route::kDirect, exp);
  const double nvl_s = phase_s(c, nvl.list(), Route::kDirect, exp);
  return finish("deepep.internode_dispatch", c, t, ib_s, nvl_s, copy_of(spec, cfg), cfg.rdma_chunk_tokens * P,
                cfg.nvl_chunk_tokens * P, exp);
}

CommKernelResult internode_combine(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& pay,
                                   const DeepEpConfig& cfg) {
  check_config(cfg, spec);
  const Cluster c = ep_cluster(spec, r);
  if (r.nodes < 2) throw Error("internode combine needs an EP group over at least 2 nodes; use intranode_combine");
  const int ep = r.ep(), per_node = c.params().gpus_per_node;
  const double C = pay.combine_bytes, logical = pay.fp8_hidden_bytes * 2;
  Tally t(ep);
  TransferSet ib, nvl;
  // Token owner `src` gets back one reduced BF16 row per node it reached.
  for (int src = 0; src < ep; ++src) {
    for (int n = 0; n < r.nodes; ++n) {
      const double tokens = r.node_count(src, n);
      if (tokens == 0) continue;
      const int relay = n == c.node_of(src) ? src : c.gpu(n, c.local_of(src));
      for (int d = n * per_node; d < (n + 1) * per_node; ++d) {
        const double from_d = r.gpu_count(src, d);
        if (from_d == 0) continue;
        t.sm_send_recv[static_cast<size_t>(d)] += from_d * C;  // NVLink sender
        t.hbm_read[static_cast<size_t>(d)] += from_d * C;
        t.hbm_write[static_cast<size_t>(relay)] += from_d * C;
        t.sm_forward[static_cast<size_t>(relay)] += from_d * C;  // forwarder reduces them
        t.hbm_read[static_cast<size_t>(relay)] += from_d * C;
        if (d != relay) {
          nvl.add(d, relay, from_d * C, 0);
          t.nvl_tx[static_cast<size_t>(d)] += from_d * C;
        }
      }
      t.hbm_write[static_cast<size_t>(relay)] += tokens * C;  // reduced rows into the RDMA send buffer
      t.reported[static_cast<size_t>(src)] += tokens * logical;
      if (relay != src) {
        ib.add(relay, src, tokens * C, messages(tokens, cfg.rdma_chunk_tokens));
        t.ib_tx[static_cast<size_t>(relay)] += tokens * C;
        t.hbm_read[static_cast<size_t>(relay)] += tokens * C;
        t.hbm_write[static_cast<size_t>(src)] += tokens * C;
      }
      t.sm_send_recv[static_cast<size_t>(src)] += tokens * C;  // IB receiver reduces over nodes
      t.hbm_read[static_cast<size_t>(src)] += tokens * C;
    }
    t.hbm_write[static_cast<size_t>(src)] += r.options.tokens_per_gpu * C;  // combined output
  }
  const bool exp = cfg.explicit_flows || r.options.skewed;
  const double ib_s = phase_s(c, ib.list(), Route::kDirect, exp);
  const double nvl_s = phase_s(c, nvl.list(), Route::kDirect, exp);
  return finish("deepep.internode_combine", c, t, ib_s, nvl_s, copy_of(spec, cfg), cfg.rdma_chunk_tokens * C,
                cfg.nvl_chunk_tokens * C, exp);
}

namespace {

CommKernelResult intranode(const HardwareSpec& spec, const EpRouting& r, double bytes, double logical, bool combine,
                           const DeepEpConfig& cfg) {
  check_config(cfg, spec);
  const Cluster c = ep_cluster(spec, r);
  if (r.nodes != 1) throw Error(fmt::format("intranode kernels need ep = gpus per node; ep = {}", r.ep()));
  const int ep = r.ep();
  Tally t(ep);
  TransferSet nvl;
  for (int src = 0; src < ep; ++src) {
    for (int d = 0; d < ep; ++d) {
      const double n = r.gpu_count(src, d) * bytes;
      if (n == 0) continue;
      const int from = combine ? d : src, to = combine ? src : d;
      // Even SM of a channel sends, odd SM receives (DeepEP intranode.cu).
      t.sm_forward[static_cast<size_t>(from)] += n;
      t.sm_send_recv[static_cast<size_t>(to)] += n;
      t.hbm_read[static_cast<size_t>(from)] += n;
      t.hbm_write[static_cast<size_t>(to)] += 2 * n;  // buffer, then output
      t.hbm_read[static_cast<size_t>(to)] += n;
      t.reported[static_cast<size_t>(to)] += r.gpu_count(src, d) * logical;
      if (from != to) {
        nvl.add(from, to, n, 0);
        t.nvl_tx[static_cast<size_t>(from)] += n;
      }
    }
  }
  const bool exp = cfg.explicit_flows || r.options.skewed;
  const double nvl_s = phase_s(c, nvl.list(), Route::kDirect, exp);
  return finish(combine ? "deepep.intranode_combine" : "deepep.intranode_dispatch", c, t, 0, nvl_s, copy_of(spec, cfg),
                0, cfg.nvl_chunk_tokens * bytes, exp);
}

CommKernelResult low_latency(const HardwareSpec& spec, const EpRouting& r, double bytes, double logical, bool combine) {
  const Cluster c = ep_cluster(spec, r);
  const int ep = r.ep();
  TransferSet set;
  std::vector<double> tx(static_cast<size_t>(ep), 0.0), hbm(static_cast<size_t>(ep), 0.0);
  for (int src = 0; src < ep; ++src) {
    for (int d = 0; d < ep; ++d) {
      const double pairs = r.expert_pairs(src, d);
      if (pairs == 0 || d == src) continue;
      // One message per (token, expert): no aggregation (DeepEP internode_ll.cu).
      const int from = combine ? d : src, to = combine ? src : d;
      set.add(from, to, pairs * bytes, static_cast<int>(pairs));
      tx[static_cast<size_t>(from)] += pairs * logical;
      hbm[static_cast<size_t>(from)] += pairs * bytes;
      hbm[static_cast<size_t>(to)] += pairs * bytes;
    }
  }
  const bool exp = r.options.skewed;
  const auto transfers = set.list();
  CommKernelResult res;
  res.name = combine ? "deepep.low_latency_combine" : "deepep.low_latency_dispatch";
  res.explicit_flows = exp;
  res.sms_held = 0;  // RDMA proceeds without SMs (receive hook)
  res.ib_s = transfers.empty() ? 0
             : exp             ? interconnect::simulate_transfers(c, transfers, Route::kRail).makespan_s
                               : interconnect::bottleneck_time_s(c, transfers, Route::kRail).time_s;
  res.time_s = res.ib_s;
  res.bound = "ib";
  const size_t worst = static_cast<size_t>(std::max_element(tx.begin(), tx.end()) - tx.begin());
  res.ib_tx_bytes = tx[worst];
  res.hbm_read_bytes = res.hbm_write_bytes = *std::max_element(hbm.begin(), hbm.end());
  res.reported_Bps = res.time_s > 0 ? tx[worst] / res.time_s : 0;
  return res;
}

}  // namespace

CommKernelResult intranode_dispatch(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& p,
                                    const DeepEpConfig& cfg) {
  return intranode(spec, r, p.dispatch_bytes, p.fp8_hidden_bytes + p.scale_bytes, false, cfg);
}

CommKernelResult intranode_combine(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& p,
                                   const DeepEpConfig& cfg) {
  return intranode(spec, r, p.combine_bytes, p.fp8_hidden_bytes * 2, true, cfg);
}

CommKernelResult low_latency_dispatch(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& p) {
  return low_latency(spec, r, p.dispatch_bytes, p.fp8_hidden_bytes + p.scale_bytes, false);
}

CommKernelResult low_latency_combine(const HardwareSpec& spec, const EpRouting& r, const TokenPayload& p) {
  return low_latency(spec, r, p.combine_bytes, p.fp8_hidden_bytes * 2, true);
}

nlohmann::json CommKernelResult::to_json() const {
  return {{"name", name},
          {"time_us", sim::us_from_seconds(time_s)},
          {"bound", bound},
          {"ib_us", sim::us_from_seconds(ib_s)},
          {"nvlink_us", sim::us_from_seconds(nvlink_s)},
          {"sm_us", sim::us_from_seconds(sm_s)},
          {"fill_us", sim::us_from_seconds(fill_s)},
          {"sms_held", sms_held},
          {"ib_tx_bytes", ib_tx_bytes},
          {"nvlink_tx_bytes", nvlink_tx_bytes},
          {"hbm_read_bytes", hbm_read_bytes},
          {"hbm_write_bytes", hbm_write_bytes},
          {"reported_GBps", reported_Bps / 1e9},
          {"explicit_flows", explicit_flows},
          {"channels", channels},
          {"ib_chunk_bytes", ib_chunk_bytes},
          {"nvlink_chunk_bytes", nvlink_chunk_bytes}};
}

}  // namespace hwsim::comm
