#include "workloads/trace/launch_link.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace hwsim::trace {
namespace {

using ThreadKey = std::pair<std::int64_t, std::int64_t>;  // pid, tid

// The ops of each thread sorted by start (the longer first at equal starts),
// and each op's parent: the op enclosing it.
struct OpForest {
  std::map<ThreadKey, std::vector<std::size_t>> by_thread;
  std::vector<std::int64_t> parent;
  std::map<ThreadKey, std::size_t> by_external;  // (pid, External id) -> op
};

OpForest build_forest(const Trace& t) {
  OpForest f;
  f.parent.assign(t.ops.size(), -1);
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    f.by_thread[{t.ops[i].pid, t.ops[i].tid}].push_back(i);
    if (t.ops[i].external_id >= 0) f.by_external.emplace(ThreadKey{t.ops[i].pid, t.ops[i].external_id}, i);
  }
  for (auto& [key, ops] : f.by_thread) {
    std::stable_sort(ops.begin(), ops.end(), [&](std::size_t a, std::size_t b) {
      return t.ops[a].ts != t.ops[b].ts ? t.ops[a].ts < t.ops[b].ts : t.ops[a].dur > t.ops[b].dur;
    });
    std::vector<std::size_t> open;
    for (std::size_t i : ops) {
      while (!open.empty() && t.ops[open.back()].ts + t.ops[open.back()].dur < t.ops[i].ts + t.ops[i].dur) {
        open.pop_back();
      }
      if (!open.empty()) f.parent[i] = static_cast<std::int64_t>(open.back());
      open.push_back(i);
    }
  }
  return f;
}

bool contains(const CpuOp& op, double ts) { return op.ts <= ts && ts <= op.ts + op.dur; }

// The innermost op on the call's thread whose span holds it.
std::int64_t enclosing_op(const Trace& t, const OpForest& f, const RuntimeCall& r) {
  if (r.external_id >= 0) {
    const auto it = f.by_external.find({r.pid, r.external_id});
    if (it != f.by_external.end() && contains(t.ops[it->second], r.ts)) return static_cast<std::int64_t>(it->second);
  }
  const auto th = f.by_thread.find({r.pid, r.tid});
  if (th == f.by_thread.end()) return -1;
  const auto& ops = th->second;
  auto it = std::upper_bound(ops.begin(), ops.end(), r.ts, [&](double ts, std::size_t i) { return ts < t.ops[i].ts; });
  if (it == ops.begin()) return -1;
  std::int64_t i = static_cast<std::int64_t>(*std::prev(it));
  while (i >= 0 && !contains(t.ops[static_cast<std::size_t>(i)], r.ts)) i = f.parent[static_cast<std::size_t>(i)];
  return i;
}

// Whether an op runs in autograd's backward pass: Kineto writes "Fwd thread
// id" 0 on forward ops and the forward thread's (RecordFunction) id, from 1,
// on the backward ops that autograd created from them.
bool is_backward(const CpuOp& op) {
  return op.fwd_tid > 0 || op.name.starts_with("autograd::engine::evaluate_function");
}

// Forward ops by sequence number: the outermost op that carries it.
std::map<std::int64_t, std::size_t> forward_ops(const Trace& t) {
  std::map<std::int64_t, std::size_t> fwd;
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const CpuOp& op = t.ops[i];
    if (op.sequence < 0 || is_backward(op)) continue;
    auto [it, fresh] = fwd.emplace(op.sequence, i);
    if (!fresh && (op.ts < t.ops[it->second].ts || (op.ts == t.ops[it->second].ts && op.dur > t.ops[it->second].dur)))
      it->second = i;
  }
  return fwd;
}

}  // namespace

std::vector<Launch> link_launches(const Trace& t) {
  const OpForest forest = build_forest(t);
  const auto fwd = forward_ops(t);
  std::map<std::int64_t, std::size_t> by_correlation;
  for (std::size_t i = 0; i < t.runtime.size(); ++i) {
    if (t.runtime[i].correlation >= 0) by_correlation.emplace(t.runtime[i].correlation, i);
  }
  std::vector<Launch> out(t.gpu.size());
  for (std::size_t g = 0; g < t.gpu.size(); ++g) {
    const auto r = by_correlation.find(t.gpu[g].correlation);
    if (r == by_correlation.end()) continue;
    Launch& l = out[g];
    l.runtime = static_cast<std::int64_t>(r->second);
    for (std::int64_t i = enclosing_op(t, forest, t.runtime[r->second]); i >= 0;
         i = forest.parent[static_cast<std::size_t>(i)]) {
      l.stack.push_back(static_cast<std::size_t>(i));
    }
    for (std::size_t i : l.stack) {
      const CpuOp& op = t.ops[i];
      if (!is_backward(op)) continue;
      l.backward = true;
      const auto f = fwd.find(op.sequence);
      if (f != fwd.end()) l.forward_op = static_cast<std::int64_t>(f->second);
      break;
    }
  }
  return out;
}

}  // namespace hwsim::trace
