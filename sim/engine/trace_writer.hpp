#pragma once
// Chrome-trace (Perfetto-readable) timeline of one simulation: one process per
// GPU, one track (thread) per unit (SM tensor pipe, CUDA-core pipe, TMA, L2,
// HBM). The file is capped: beyond `max_events` the writer keeps every 2nd,
// then every 4th... span of each track (deterministic thinning), so a long
// kernel never yields a multi-GB file.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"

namespace hwsim::sim {

class TraceWriter {
 public:
  // Contract: max_events >= 16.
  TraceWriter(std::filesystem::path path, std::int64_t max_events);

  int track(const std::string& name);  // stable id per name, in first-use order
  void span(int track, const char* what, Tick start, Tick end);
  void set_process_name(std::string name) { process_name_ = std::move(name); }

  std::int64_t offered() const { return offered_; }
  std::int64_t kept() const { return static_cast<std::int64_t>(events_.size()); }
  std::int64_t stride() const { return stride_; }
  // Writes the file atomically; the writer stays usable (later spans append).
  void write() const;

 private:
  struct Event {
    int track;
    const char* what;  // static strings only
    Tick start;
    Tick end;
    std::int64_t seq;
  };
  void thin();

  std::filesystem::path path_;
  std::int64_t max_events_;
  std::int64_t stride_ = 1;
  std::int64_t offered_ = 0;
  std::string process_name_ = "gpu";
  std::map<std::string, int> track_ids_;
  std::vector<std::string> track_names_;
  std::vector<std::int64_t> track_seq_;
  std::vector<Event> events_;
};

}  // namespace hwsim::sim
