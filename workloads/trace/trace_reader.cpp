// read_trace: a SAX pass over the trace (nlohmann::json::sax_parse) that
// builds one event at a time as a small JSON value, keeps the fields
// trace.hpp lists and drops the rest, so a trace of hundreds of MB is read in
// bounded memory; gzip is decompressed on the fly by zlib (gzread reads plain
// files unchanged).
#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <streambuf>

#include "models/io/json_input.hpp"
#include "models/spec/error.hpp"
#include "workloads/trace/trace.hpp"
#include "workloads/trace/trace_event.hpp"

namespace hwsim::trace {
namespace {

using json = nlohmann::json;

// A read-only streambuf over a gzFile; a damaged stream throws hwsim::Error.
class GzipBuffer final : public std::streambuf {
 public:
  explicit GzipBuffer(const std::filesystem::path& path) : path_(path.string()) {
    file_ = ::gzopen(path_.c_str(), "rb");
    if (file_ == nullptr) throw Error(fmt::format("{}: cannot open the trace", path_));
    ::gzbuffer(file_, 1 << 18);
  }
  ~GzipBuffer() override {
    if (file_ != nullptr) ::gzclose(file_);
  }
  GzipBuffer(const GzipBuffer&) = delete;
  GzipBuffer& operator=(const GzipBuffer&) = delete;

 protected:
  int_type underflow() override {
    const int n = ::gzread(file_, buffer_, sizeof buffer_);
    int code = Z_OK;
    const char* message = ::gzerror(file_, &code);
    // A truncated gzip stream ends with Z_BUF_ERROR ("unexpected end of file").
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      throw Error(fmt::format("{}: gzip error after {} bytes of JSON: {} (the file is damaged or truncated)", path_,
                              total_, message == nullptr ? "unknown" : message));
    }
    if (n == 0) return traits_type::eof();
    total_ += n;
    setg(buffer_, buffer_, buffer_ + n);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
  char buffer_[1 << 16];
  std::int64_t total_ = 0;
};

// Builds the values under one open container, one SAX callback at a time.
class ValueBuilder {
 public:
  void begin() {
    root_ = json();
    stack_.clear();
  }
  void key(std::string k) { key_ = std::move(k); }
  // Adds a value; a container is entered.
  void add(json v) {
    json* slot = nullptr;
    if (stack_.empty()) {
      root_ = std::move(v);
      slot = &root_;
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(v));
      slot = &stack_.back()->back();
    } else {
      slot = &(*stack_.back())[key_];
      *slot = std::move(v);
    }
    if (slot->is_structured()) stack_.push_back(slot);
  }
  // Closes a container; true when it was the root.
  bool close() {
    stack_.pop_back();
    return stack_.empty();
  }
  json take() { return std::move(root_); }

 private:
  json root_;
  std::vector<json*> stack_;
  std::string key_;
};

// The SAX consumer: depth 1 is the top-level object, depth 2 the traceEvents
// array; each object at depth 3 is one event, built and handed over whole.
class TraceSax final : public nlohmann::json_sax<json> {
 public:
  explicit TraceSax(Trace& t) : trace_(t) {}

  bool null() override { return value(json()); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return is_event_ts() ? event_ts(std::to_string(v)) : value(v); }
  bool number_unsigned(number_unsigned_t v) override { return is_event_ts() ? event_ts(std::to_string(v)) : value(v); }
  bool number_float(number_float_t v, const string_t& text) override {
    return is_event_ts() ? event_ts(text) : value(v);
  }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t&) override { return value(json()); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (depth_ == 1) top_key_ = k;
    if (depth_ == 3) event_key_ = k;
    if (building_) builder_.key(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    const std::string why = position > 0 && std::string_view(e.what()).find("end of input") != std::string::npos
                                ? " (the file ends early: truncated?)"
                                : "";
    throw Error(fmt::format("{}: not valid JSON at byte {}{}: {}", trace_.source, position, why, e.what()));
  }
  bool saw_events() const { return saw_events_; }

 private:
  bool is_event_ts() const { return building_ && depth_ == 3 && event_key_ == "ts" && top_key_ == "traceEvents"; }
  // Kineto's timestamps are microseconds since the epoch (~1.7e15), where a
  // double keeps only a quarter of a microsecond; the whole microseconds are
  // counted from the first event's and the fraction added after, which keeps
  // the nanoseconds the trace records.
  double rebased(const std::string& text) {
    if (text.find_first_of("eE") != std::string::npos) {  // not Kineto's form; exact enough
      const double v = std::stod(text);
      if (!(std::fabs(v) < 9.2e18)) throw std::out_of_range(text);  // beyond 64-bit microseconds
      if (!base_) base_ = static_cast<std::int64_t>(v);
      return v - static_cast<double>(*base_);
    }
    const std::size_t dot = text.find('.');
    const std::int64_t whole = std::stoll(text.substr(0, dot));
    if (!base_) base_ = whole;
    std::int64_t since_first = 0;
    if (__builtin_sub_overflow(whole, *base_, &since_first)) throw std::out_of_range(text);
    const double fraction = dot == std::string::npos ? 0.0 : std::strtod(text.c_str() + dot, nullptr);
    return static_cast<double>(since_first) + (text.starts_with("-") ? -fraction : fraction);
  }

  bool event_ts(const std::string& text) {
    try {
      return value(rebased(text));
    } catch (const std::logic_error&) {  // std::stoll's out_of_range: beyond 64-bit microseconds
      throw Error(fmt::format("{}: traceEvents[{}]: key 'ts': {} is not a time in microseconds", trace_.source,
                              trace_.events, text));
    }
  }

  // Whether the container about to open (at depth_ + 1) is captured whole.
  bool captures() const {
    return (depth_ == 2 && top_key_ == "traceEvents" && in_events_) || (depth_ == 1 && top_key_ == "deviceProperties");
  }
  bool open(json container) {
    if (depth_ >= kMaxJsonDepth) {
      throw Error(fmt::format("{}: {}lists and objects nested more than {} deep", trace_.source,
                              in_events_ ? fmt::format("traceEvents[{}]: ", trace_.events) : std::string(),
                              kMaxJsonDepth));
    }
    if (depth_ == 0 && !container.is_object())
      throw Error(fmt::format("{}: expected a JSON object with a \"traceEvents\" array at the top", trace_.source));
    if (depth_ == 1 && top_key_ == "traceEvents") {
      if (!container.is_array()) throw Error(fmt::format("{}: key 'traceEvents': expected an array", trace_.source));
      in_events_ = saw_events_ = true;
    }
    if (!building_ && captures()) {
      building_ = true;
      builder_.begin();
    }
    if (building_) builder_.add(std::move(container));
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    if (building_ && builder_.close()) {
      building_ = false;
      finish(builder_.take());
    }
    if (depth_ == 1 && in_events_) in_events_ = false;
    return true;
  }
  bool value(json v) {
    if (building_) {
      builder_.add(std::move(v));
    } else if (depth_ == 2 && in_events_) {
      throw Error(fmt::format("{}: traceEvents[{}]: expected an event object", trace_.source, trace_.events));
    }
    return true;
  }
  void finish(json v) {
    if (top_key_ == "deviceProperties") {
      trace_.device_properties = std::move(v);
      return;
    }
    add_event(trace_, v, trace_.events++);
  }

  Trace& trace_;
  ValueBuilder builder_;
  int depth_ = 0;
  std::string top_key_, event_key_;
  std::optional<std::int64_t> base_;  // the first event's whole microseconds
  bool building_ = false, in_events_ = false, saw_events_ = false;
};

void parse_stream(std::istream& in, Trace& t) {
  TraceSax sax(t);
  json::sax_parse(in, &sax, nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!sax.saw_events())
    throw Error(fmt::format("{}: no \"traceEvents\" array: not a PyTorch profiler trace", t.source));
  check_trace(t);
}

}  // namespace

Trace read_trace(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(fmt::format(
        "{}: {}", path.string(),
        std::filesystem::exists(path, ec) ? "not a regular file (a folder, device or FIFO)" : "no such trace file"));
  }
  Trace t;
  t.source = path.string();
  GzipBuffer buffer(path);
  std::istream in(&buffer);
  parse_stream(in, t);
  return t;
}

Trace parse_trace(const std::string& text, const std::string& source) {
  Trace t;
  t.source = source;
  std::istringstream in(text);
  parse_stream(in, t);
  return t;
}

}  // namespace hwsim::trace
