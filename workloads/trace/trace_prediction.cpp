#include "workloads/trace/trace_prediction.hpp"

#include <fmt/format.h>

#include <map>

namespace hwsim::trace {

TraceKernels map_trace(Trace t) {
  TraceKernels k;
  k.trace = std::move(t);
  k.links = link_launches(k.trace);
  std::map<std::string, std::int64_t> seen;  // kind + params -> request
  k.rows.reserve(k.trace.gpu.size());
  for (std::size_t g = 0; g < k.trace.gpu.size(); ++g) {
    const Launch& l = k.links[g];
    KernelRow row;
    row.mapping = map_gpu_op(k.trace, k.trace.gpu[g], l.stack);
    if (l.runtime < 0 && row.mapping.mapped() == false && row.mapping.reason.empty())
      row.mapping.reason = fmt::format("no runtime call with correlation {} launched it", k.trace.gpu[g].correlation);
    row.backward = l.backward;
    if (l.forward_op >= 0) row.forward_op = k.trace.ops[static_cast<std::size_t>(l.forward_op)].name;
    if (row.mapping.mapped()) {
      const std::string key = row.mapping.kind + " " + row.mapping.params.dump();
      auto [it, fresh] = seen.emplace(key, static_cast<std::int64_t>(k.requests.size()));
      if (fresh) k.requests.push_back({row.mapping.kind, row.mapping.params});
      row.request = it->second;
    }
    k.rows.push_back(std::move(row));
  }
  return k;
}

std::vector<double> predicted_durations(const TraceKernels& k, const std::vector<Prediction>& predictions,
                                        double span_us, std::vector<std::string>& failures) {
  const std::size_t n = k.trace.gpu.size();
  std::vector<double> d(n);
  failures.assign(k.requests.size(), "");
  // Kernels launched by one CPU op share its prediction (a cuDNN attention
  // backward, a split-K GEMM and its reduction, AdamW's multi-tensor chunks).
  std::map<std::int64_t, double> op_measured;
  for (std::size_t g = 0; g < n; ++g) {
    const KernelRow& r = k.rows[g];
    if (r.request >= 0 && k.trace.gpu[g].kind == GpuKind::kKernel && !r.mapping.per_kernel)
      op_measured[r.mapping.op_index] += k.trace.gpu[g].dur;
  }
  for (std::size_t g = 0; g < n; ++g) {
    const KernelRow& r = k.rows[g];
    const GpuOp& op = k.trace.gpu[g];
    d[g] = op.dur;
    if (r.request < 0) continue;
    if (r.removed) {
      d[g] = 0;
      continue;
    }
    const Prediction& p = predictions[static_cast<std::size_t>(r.request)];
    if (!p.time_us) {
      failures[static_cast<std::size_t>(r.request)] = p.error;
      continue;
    }
    const double t = p.detail.is_object() ? p.detail.value("kernel_time_us", *p.time_us) : *p.time_us;
    const auto total = op_measured.find(r.mapping.op_index);
    const bool shared =
        op.kind == GpuKind::kKernel && !r.mapping.per_kernel && total != op_measured.end() && total->second > 0;
    d[g] = (shared ? t * op.dur / total->second : t) + span_us;
  }
  return d;
}

}  // namespace hwsim::trace
