#include "workloads/trace/timeline.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace hwsim::trace {
namespace {

constexpr double kNever = -std::numeric_limits<double>::infinity();
using StreamKey = std::pair<std::int64_t, std::int64_t>;  // device, stream

struct Ends {
  double measured = kNever, predicted = kNever;
  void merge(const Ends& o) {
    measured = std::max(measured, o.measured);
    predicted = std::max(predicted, o.predicted);
  }
};

bool is_sync(const std::string& n) {
  return n == "cudaDeviceSynchronize" || n == "cudaStreamSynchronize" || n == "cudaEventSynchronize" ||
         n == "cudaMemcpy" || n == "cuCtxSynchronize" || n == "cuStreamSynchronize" || n == "cuEventSynchronize";
}

// The sweep over CPU calls in time order (one per trace).
class Rebuild {
 public:
  Rebuild(const Trace& t, const std::vector<Launch>& links, const std::vector<double>& d)
      : t_(t), links_(links), dur_(d), start_(t.gpu.size(), 0.0), end_(t.gpu.size(), 0.0) {
    for (const SyncEvent& s : t.syncs) {
      if (s.correlation >= 0) sync_of_call_.emplace(s.correlation, &s);
      if (s.event_record_correlation >= 0) record_stream_.emplace(s.event_record_correlation, s.wait_on_stream);
    }
    for (std::size_t g = 0; g < t.gpu.size(); ++g) {
      if (links[g].runtime >= 0) {
        launched_by_[static_cast<std::size_t>(links[g].runtime)].push_back(g);
        const double lat = t.gpu[g].ts - t.runtime[static_cast<std::size_t>(links[g].runtime)].ts;
        if (lat >= 0) launch_floor_ = std::min(launch_floor_, lat);
      }
    }
  }

  void run() {
    // Calls and GPU ops without a call, by their (measured) time; equal times in trace order.
    std::vector<std::pair<double, std::int64_t>> items;  // >= 0: runtime call; < 0: -(gpu op) - 1
    for (std::size_t r = 0; r < t_.runtime.size(); ++r) items.emplace_back(t_.runtime[r].ts, r);
    for (std::size_t g = 0; g < t_.gpu.size(); ++g) {
      if (links_[g].runtime < 0) items.emplace_back(t_.gpu[g].ts, -static_cast<std::int64_t>(g) - 1);
    }
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [ts, item] : items) {
      if (item < 0) {
        schedule(static_cast<std::size_t>(-item - 1), t_.gpu[static_cast<std::size_t>(-item - 1)].ts);
      } else {
        call(static_cast<std::size_t>(item));
      }
    }
  }

  double shift_at(double ts) const {
    auto it = std::upper_bound(shifts_.begin(), shifts_.end(), ts,
                               [](double v, const std::pair<double, double>& s) { return v < s.first; });
    return it == shifts_.begin() ? 0.0 : std::prev(it)->second;
  }
  std::vector<double> start() const { return start_; }
  std::vector<double> end() const { return end_; }

 private:
  void call(std::size_t r) {
    const RuntimeCall& c = t_.runtime[r];
    if (const auto it = launched_by_.find(r); it != launched_by_.end()) {
      for (std::size_t g : it->second) schedule(g, c.ts);
    }
    if (c.name.find("EventRecord") != std::string::npos) record_event(c);
    if (c.name.find("StreamWaitEvent") != std::string::npos) wait_event(c);
    if (is_sync(c.name)) synchronise(c);
  }

  // Places GPU op g launched at (measured) CPU time `issued`.
  void schedule(std::size_t g, double issued) {
    const GpuOp& op = t_.gpu[g];
    const StreamKey key{op.device, op.stream};
    Ends ready = stream_[key];
    if (auto w = waits_.find(key); w != waits_.end()) {
      ready.merge(w->second);
      waits_.erase(w);
    }
    const double issued_pred = issued + shift_;
    const double latency = std::max(0.0, op.ts - issued);
    double s = 0;
    if (ready.measured == kNever || issued >= ready.measured) {  // the GPU waited for the launch
      s = std::max(issued_pred + latency, ready.predicted);
    } else {  // queued behind the stream or an event: keep the gap measured after it
      s = std::max(ready.predicted + std::max(0.0, op.ts - ready.measured),
                   issued_pred + std::min(latency, launch_floor_));
    }
    start_[g] = s;
    end_[g] = s + dur_[g];
    Ends& e = stream_[key];
    e.measured = std::max(e.measured, op.ts + op.dur);
    e.predicted = std::max(e.predicted, end_[g]);
    device_.merge(e);
  }

  void record_event(const RuntimeCall& c) {
    const auto s = record_stream_.find(c.correlation);
    if (s == record_stream_.end()) return;
    for (const auto& [key, ends] : stream_) {
      if (key.second == s->second) recorded_[c.correlation].merge(ends);
    }
  }

  void wait_event(const RuntimeCall& c) {
    const auto s = sync_of_call_.find(c.correlation);
    if (s == sync_of_call_.end()) return;
    const auto rec = recorded_.find(s->second->event_record_correlation);
    if (rec == recorded_.end()) return;
    for (const auto& [key, ends] : stream_) {
      if (key.second == s->second->stream) waits_[key].merge(rec->second);
    }
    // A stream that has run nothing yet waits too.
    bool known = false;
    for (const auto& [key, ends] : stream_) known = known || key.second == s->second->stream;
    if (!known) waits_[{t_.gpu.empty() ? 0 : t_.gpu.front().device, s->second->stream}].merge(rec->second);
  }

  // The CPU waited for the GPU: it resumes when the awaited work ends, plus
  // the call's own cost measured after the GPU finished.
  void synchronise(const RuntimeCall& c) {
    Ends awaited = device_;
    const auto s = sync_of_call_.find(c.correlation);
    if (s != sync_of_call_.end() && s->second->stream >= 0 && c.name.find("Stream") != std::string::npos) {
      awaited = Ends{};
      for (const auto& [key, ends] : stream_) {
        if (key.second == s->second->stream) awaited.merge(ends);
      }
    }
    const double returned = c.ts + c.dur;
    const double own = std::max(0.0, returned - std::max(c.ts, awaited.measured));
    const double returned_pred = std::max(c.ts + shift_, awaited.predicted) + own;
    shift_ = returned_pred - returned;
    shifts_.emplace_back(returned, shift_);
  }

  const Trace& t_;
  const std::vector<Launch>& links_;
  const std::vector<double>& dur_;
  std::vector<double> start_, end_;
  std::map<std::size_t, std::vector<std::size_t>> launched_by_;
  std::map<std::int64_t, const SyncEvent*> sync_of_call_;
  std::map<std::int64_t, std::int64_t> record_stream_;  // cudaEventRecord correlation -> its stream
  std::map<std::int64_t, Ends> recorded_;               // cudaEventRecord correlation -> the work it marks
  std::map<StreamKey, Ends> stream_, waits_;
  Ends device_;
  double shift_ = 0, launch_floor_ = std::numeric_limits<double>::infinity();
  std::vector<std::pair<double, double>> shifts_;  // (measured CPU time, shift from then on)
};

double busy_time(std::vector<std::pair<double, double>> spans) {
  std::sort(spans.begin(), spans.end());
  double busy = 0;
  std::size_t i = 0;
  while (i < spans.size()) {
    const double from = spans[i].first;
    double to = spans[i].second;
    for (++i; i < spans.size() && spans[i].first <= to; ++i) to = std::max(to, spans[i].second);
    busy += to - from;
  }
  return busy;
}

// When GPU op g was launched (its runtime call; its own start without one).
double issued_at(const Trace& t, const std::vector<Launch>& links, std::size_t g) {
  return links[g].runtime >= 0 ? t.runtime[static_cast<std::size_t>(links[g].runtime)].ts : t.gpu[g].ts;
}

// Without step marks the whole trace is one iteration: from the first launch
// or GPU op to the end of the last GPU op.
Iteration whole_trace(const Trace& t, const std::vector<Launch>& links, const Timeline& tl) {
  double first = std::numeric_limits<double>::infinity(), last = kNever, last_pred = kNever;
  for (std::size_t g = 0; g < t.gpu.size(); ++g) {
    first = std::min({first, t.gpu[g].ts, issued_at(t, links, g)});
    last = std::max(last, t.gpu[g].ts + t.gpu[g].dur);
    last_pred = std::max(last_pred, tl.end[g]);
  }
  return {"trace", last - first, last_pred - first, t.gpu.size()};
}

// The CPU's ProfilerStep#N spans, each ending when its CPU span (moved by
// the CPU's shift) and every GPU op launched inside it have ended.
std::vector<Iteration> steps_of(const Trace& t, const std::vector<Launch>& links, const Timeline& tl,
                                const std::vector<StepMark>& steps, const Rebuild& rb) {
  std::vector<Ends> bounds(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double end = steps[i].ts + steps[i].dur;
    bounds[i] = {end, end + rb.shift_at(end)};
  }
  std::vector<std::size_t> ops(steps.size(), 0);
  for (std::size_t g = 0; g < t.gpu.size(); ++g) {
    const double at = issued_at(t, links, g);
    // The last step starting at or before the launch (steps are sorted and do not overlap).
    const auto it =
        std::upper_bound(steps.begin(), steps.end(), at, [](double v, const StepMark& s) { return v < s.ts; });
    if (it == steps.begin()) continue;
    const std::size_t i = static_cast<std::size_t>(std::prev(it) - steps.begin());
    if (at >= steps[i].ts + steps[i].dur) continue;
    bounds[i].merge({t.gpu[g].ts + t.gpu[g].dur, tl.end[g]});
    ++ops[i];
  }
  std::vector<Iteration> out;
  Ends prev{steps[0].ts, steps[0].ts + rb.shift_at(steps[0].ts)};
  for (std::size_t i = 0; i < steps.size(); ++i) {
    bounds[i].merge(prev);
    out.push_back({steps[i].name, bounds[i].measured - prev.measured, bounds[i].predicted - prev.predicted, ops[i]});
    prev = bounds[i];
  }
  return out;
}

}  // namespace

Timeline rebuild_timeline(const Trace& t, const std::vector<Launch>& links, const std::vector<double>& durations) {
  Rebuild rb(t, links, durations);
  rb.run();
  Timeline tl;
  tl.start = rb.start();
  tl.end = rb.end();
  std::vector<std::pair<double, double>> measured, predicted;
  for (std::size_t g = 0; g < t.gpu.size(); ++g) {
    measured.emplace_back(t.gpu[g].ts, t.gpu[g].ts + t.gpu[g].dur);
    predicted.emplace_back(tl.start[g], tl.end[g]);
  }
  tl.measured_busy_us = busy_time(measured);
  tl.predicted_busy_us = busy_time(predicted);
  std::vector<StepMark> steps;
  for (const StepMark& s : t.steps) {
    if (!s.gpu) steps.push_back(s);
  }
  tl.iterations = steps.empty() ? std::vector<Iteration>{whole_trace(t, links, tl)} : steps_of(t, links, tl, steps, rb);
  for (const Iteration& it : tl.iterations) {
    tl.measured_total_us += it.measured_us;
    tl.predicted_total_us += it.predicted_us;
  }
  return tl;
}

}  // namespace hwsim::trace
