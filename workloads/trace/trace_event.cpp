#include "workloads/trace/trace_event.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "models/spec/error.hpp"

namespace hwsim::trace {
namespace {

using json = nlohmann::json;

// Where an event is, for messages: "FILE: traceEvents[12] (kernel 'name')".
struct Where {
  const Trace& t;
  std::int64_t index;
  const json& event;
  std::string text() const {
    const auto name = event.find("name");
    const auto cat = event.find("cat");
    return fmt::format("{}: traceEvents[{}] ({} '{}')", t.source, index,
                       cat != event.end() && cat->is_string() ? cat->get<std::string>() : "event",
                       name != event.end() && name->is_string() ? name->get<std::string>() : "");
  }
};

std::string text_of(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double number(const Where& w, const char* key) {
  const auto it = w.event.find(key);
  if (it == w.event.end() || !it->is_number())
    throw Error(fmt::format("{}: key '{}': expected a number of microseconds", w.text(), key));
  const double v = it->get<double>();
  if (!(v >= 0 || std::string_view(key) == "ts") || !std::isfinite(v))
    throw Error(fmt::format("{}: key '{}': expected a finite number >= 0, got {}", w.text(), key, it->dump()));
  return v;
}

// Kineto writes ids as integers; a few versions write them as strings of
// digits. An id that does not fit a signed 64-bit integer (beyond 2^63 - 1,
// 1e300, twenty digits) is no id Kineto writes: it counts as absent (the
// fallback) instead of wrapping or overflowing the conversion, which was
// undefined behaviour.
std::int64_t id_of(const json& v, std::int64_t fallback) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    return u <= static_cast<std::uint64_t>(kMax) ? static_cast<std::int64_t>(u) : fallback;
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    // 2^63 is exact as a double; anything in (-2^63 - 1, 2^63) truncates to an int64.
    const double d = v.get<double>();
    constexpr double kLimit = 9223372036854775808.0;
    return d >= -kLimit && d < kLimit ? static_cast<std::int64_t>(d) : fallback;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return fallback;
    std::int64_t x = 0;
    for (char c : s) {
      if (c < '0' || c > '9' || x > (kMax - (c - '0')) / 10) return fallback;
      x = x * 10 + (c - '0');
    }
    return x;
  }
  return fallback;
}

std::int64_t field_id(const json& e, const char* key, std::int64_t fallback) {
  const auto it = e.find(key);
  return it == e.end() ? fallback : id_of(*it, fallback);
}

// The args of a collective (record_param_comms and, in PyTorch >= 2.2, the
// NCCL kernel itself), or null.
json comm_args(const json& a) {
  if (!a.contains("Collective name")) return json();
  json c = json::object();
  for (const char* k : {"Collective name", "In msg nelems", "Out msg nelems", "Group size", "dtype"}) {
    if (a.contains(k)) c[k] = a[k];
  }
  return c;
}

const json& args_of(const json& e) {
  static const json empty = json::object();
  const auto it = e.find("args");
  return it != e.end() && it->is_object() ? *it : empty;
}

void add_cpu_op(Trace& t, const Where& w) {
  const json& a = args_of(w.event);
  CpuOp op{text_of(w.event, "name"), number(w, "ts"), number(w, "dur"), field_id(w.event, "pid", 0),
           field_id(w.event, "tid", 0)};
  op.external_id = field_id(a, "External id", -1);
  op.sequence = field_id(a, "Sequence number", -1);
  op.fwd_tid = field_id(a, "Fwd thread id", -1);
  if (const auto d = a.find("Input Dims"); d != a.end()) {
    if (!d->is_array()) throw Error(fmt::format("{}: key 'args.Input Dims': expected an array", w.text()));
    op.dims = *d;
    op.has_shapes = true;
  }
  if (const auto ty = a.find("Input type"); ty != a.end() && ty->is_array()) op.types = *ty;
  if (const auto c = a.find("Concrete Inputs"); c != a.end() && c->is_array()) op.concrete = *c;
  op.comm = comm_args(a);
  t.ops.push_back(std::move(op));
}

void add_runtime(Trace& t, const Where& w) {
  const json& a = args_of(w.event);
  t.runtime.push_back({text_of(w.event, "name"), number(w, "ts"), number(w, "dur"), field_id(w.event, "pid", 0),
                       field_id(w.event, "tid", 0), field_id(a, "correlation", -1), field_id(a, "External id", -1)});
}

// "grid": [x, y, z] of a kernel event (Kineto writes it for every kernel); absent: 0.
std::int64_t grid_blocks(const Where& w, const json& a) {
  const auto g = a.find("grid");
  if (g == a.end()) return 0;
  constexpr std::int64_t kMaxDim = std::int64_t{1} << 31;  // CUDA's grid limit is 2^31 - 1 in x, 65535 in y, z
  std::int64_t blocks = 1;
  if (!g->is_array() || g->empty() || g->size() > 3) blocks = -1;
  for (std::size_t i = 0; blocks > 0 && i < g->size(); ++i) {
    const json& d = (*g)[i];
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0 || d.get<std::int64_t>() >= kMaxDim)
      blocks = -1;
    else
      blocks = d.get<std::int64_t>() == 0 ? 0 : blocks * d.get<std::int64_t>();
    if (blocks > kMaxDim * 65536) blocks = -1;
  }
  if (blocks < 0)
    throw Error(fmt::format("{}: key 'args.grid': expected [x, y, z], whole numbers from 0 to 2^31 - 1", w.text()));
  return blocks;
}

void add_gpu(Trace& t, const Where& w, GpuKind kind) {
  const json& a = args_of(w.event);
  GpuOp g{kind, text_of(w.event, "name"), number(w, "ts"), number(w, "dur"), field_id(w.event, "pid", 0)};
  g.device = field_id(a, "device", g.pid);
  g.stream = field_id(a, "stream", field_id(w.event, "tid", -1));
  if (g.stream < 0) throw Error(fmt::format("{}: key 'args.stream': expected the CUDA stream's number", w.text()));
  g.correlation = field_id(a, "correlation", -1);
  g.external_id = field_id(a, "External id", -1);
  g.bytes = field_id(a, "bytes", 0);
  g.grid_blocks = grid_blocks(w, a);
  g.comm = comm_args(a);
  t.gpu.push_back(std::move(g));
}

void add_sync(Trace& t, const Where& w) {
  const json& a = args_of(w.event);
  SyncEvent s{text_of(w.event, "name"), number(w, "ts"), number(w, "dur"), field_id(w.event, "pid", 0)};
  s.stream = field_id(a, "stream", -1);
  s.wait_on_stream = field_id(a, "wait_on_stream", -1);
  s.correlation = field_id(a, "correlation", -1);
  s.event_record_correlation = field_id(a, "wait_on_cuda_event_record_corr_id", -1);
  t.syncs.push_back(std::move(s));
}

}  // namespace

std::string to_string(GpuKind k) {
  switch (k) {
    case GpuKind::kKernel:
      return "kernel";
    case GpuKind::kMemcpy:
      return "memcpy";
    case GpuKind::kMemset:
      return "memset";
  }
  return "?";
}

void add_event(Trace& t, const json& event, std::int64_t index) {
  if (!event.is_object()) throw Error(fmt::format("{}: traceEvents[{}]: expected an event object", t.source, index));
  const Where w{t, index, event};
  if (text_of(event, "ph") != "X") return;  // metadata, flows and instants carry nothing the what-if uses
  std::string cat = text_of(event, "cat");
  std::transform(cat.begin(), cat.end(), cat.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string name = text_of(event, "name");
  if (cat == "cpu_op" || cat == "operator") {
    add_cpu_op(t, w);
  } else if (cat == "cuda_runtime" || cat == "cuda_driver" || cat == "runtime") {
    add_runtime(t, w);
  } else if (cat == "kernel") {
    add_gpu(t, w, GpuKind::kKernel);
  } else if (cat == "gpu_memcpy" || cat == "memcpy") {
    add_gpu(t, w, GpuKind::kMemcpy);
  } else if (cat == "gpu_memset" || cat == "memset") {
    add_gpu(t, w, GpuKind::kMemset);
  } else if (cat == "cuda_sync") {
    add_sync(t, w);
  } else if ((cat == "user_annotation" || cat == "gpu_user_annotation") && name.starts_with("ProfilerStep#")) {
    t.steps.push_back({name, number(w, "ts"), number(w, "dur"), cat == "gpu_user_annotation"});
  }
}

void check_trace(Trace& t) {
  if (t.gpu.empty()) {
    throw Error(
        fmt::format("{}: no GPU kernel, memcpy or memset in {} events: profile with "
                    "activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]",
                    t.source, t.events));
  }
  const bool shapes = std::any_of(t.ops.begin(), t.ops.end(), [](const CpuOp& op) { return op.has_shapes; });
  if (!shapes) {
    throw Error(
        fmt::format("{}: no CPU op carries input shapes ('Input Dims'): record the trace with "
                    "torch.profiler.profile(record_shapes=True)",
                    t.source));
  }
  // Kineto writes events in no guaranteed order; stable sorts keep equal times in file order.
  const auto by_time = [](const auto& a, const auto& b) { return a.ts < b.ts; };
  std::stable_sort(t.gpu.begin(), t.gpu.end(), by_time);
  std::stable_sort(t.runtime.begin(), t.runtime.end(), by_time);
  std::stable_sort(t.syncs.begin(), t.syncs.end(), by_time);
  std::stable_sort(t.steps.begin(), t.steps.end(), by_time);
}

}  // namespace hwsim::trace
