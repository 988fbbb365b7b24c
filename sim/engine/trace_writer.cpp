#include "sim/engine/trace_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/io/atomic_file.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::sim {

TraceWriter::TraceWriter(std::filesystem::path path, std::int64_t max_events)
    : path_(std::move(path)), max_events_(std::max<std::int64_t>(max_events, 16)) {}

int TraceWriter::track(const std::string& name) {
  auto [it, inserted] = track_ids_.emplace(name, static_cast<int>(track_names_.size()));
  if (inserted) {
    track_names_.push_back(name);
    track_seq_.push_back(0);
  }
  return it->second;
}

void TraceWriter::span(int track, const char* what, Tick start, Tick end) {
  ++offered_;
  const std::int64_t seq = track_seq_[static_cast<size_t>(track)]++;
  if (seq % stride_ != 0) return;
  events_.push_back({track, what, start, end, seq});
  if (static_cast<std::int64_t>(events_.size()) > max_events_) thin();
}

void TraceWriter::thin() {
  stride_ *= 2;
  std::erase_if(events_, [&](const Event& e) { return e.seq % stride_ != 0; });
}

void TraceWriter::write() const {
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out +=
      fmt::format("{{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{{\"name\":\"{}\"}}}}", process_name_);
  for (size_t i = 0; i < track_names_.size(); ++i) {
    out += fmt::format(",\n{{\"ph\":\"M\",\"pid\":0,\"tid\":{},\"name\":\"thread_name\",\"args\":{{\"name\":\"{}\"}}}}",
                       i, track_names_[i]);
  }
  for (const Event& e : events_) {
    // Chrome trace times are microseconds; ticks are picoseconds.
    out += fmt::format(",\n{{\"ph\":\"X\",\"pid\":0,\"tid\":{},\"name\":\"{}\",\"ts\":{:.6f},\"dur\":{:.6f}}}", e.track,
                       e.what, us_from_ticks(e.start), us_from_ticks(e.end - e.start));
  }
  out += fmt::format("\n],\"otherData\":{{\"spans_offered\":{},\"spans_kept\":{},\"sampling_stride\":{}}}}}\n",
                     offered_, events_.size(), stride_);
  write_file_atomic(path_, out);
}

}  // namespace hwsim::sim
