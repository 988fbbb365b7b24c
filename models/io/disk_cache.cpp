#include "models/io/disk_cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "models/io/interrupt_cleanup.hpp"
#include "models/io/sha256.hpp"

namespace hwsim {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kMagic = "hwsim-cache-entry 1\n";
// A temporary file older than this is a crashed writer's leftover.
constexpr auto kStaleTemp = std::chrono::hours(1);

// Reads "<name> <value>\n" at `pos`; advances pos past the newline.
std::optional<std::string_view> header_field(std::string_view text, size_t& pos, std::string_view name) {
  const size_t eol = text.find('\n', pos);
  if (eol == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(pos, eol - pos);
  if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != ' ') return std::nullopt;
  pos = eol + 1;
  return line.substr(name.size() + 1);
}

std::optional<size_t> parse_size(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  size_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || p != s->data() + s->size()) return std::nullopt;
  return v;
}

}  // namespace

std::string format_cache_entry(std::string_view key, std::string_view payload) {
  std::string body;
  body.reserve(key.size() + payload.size());
  body.append(key).append(payload);
  std::string out = fmt::format("{}key-bytes {}\npayload-bytes {}\nsha256 {}\n\n", kMagic, key.size(), payload.size(),
                                sha256_hex(body));
  out += body;
  return out;
}

ParsedEntry parse_cache_entry(std::string_view text, std::string_view key) {
  ParsedEntry r;
  if (!text.starts_with(kMagic)) {
    r.problem = text.empty() ? "empty file" : "not a cache entry (bad header)";
    return r;
  }
  size_t pos = kMagic.size();
  const auto key_bytes = parse_size(header_field(text, pos, "key-bytes"));
  const auto payload_bytes = parse_size(header_field(text, pos, "payload-bytes"));
  const auto checksum = header_field(text, pos, "sha256");
  if (!key_bytes || !payload_bytes || !checksum || pos >= text.size() || text[pos] != '\n') {
    r.problem = "bad or truncated header";
    return r;
  }
  ++pos;
  const std::string_view body = text.substr(pos);
  if (body.size() != *key_bytes + *payload_bytes) {
    r.problem = fmt::format("{} bytes after the header, the header says {}", body.size(), *key_bytes + *payload_bytes);
    return r;
  }
  if (sha256_hex(body) != *checksum) {
    r.problem = "checksum mismatch";
    return r;
  }
  if (body.substr(0, *key_bytes) != key) {
    r.other_key = true;
    r.problem = "an entry of another key";
    return r;
  }
  r.payload = std::string(body.substr(*key_bytes));
  return r;
}

DiskCache::DiskCache(DiskCacheOptions options)
    : options_(std::move(options)), version_dir_(options_.dir / options_.version) {
  std::error_code ec;
  fs::create_directories(version_dir_, ec);
  if (ec) {
    warn(fmt::format("cannot create the folder '{}' ({}); running without it", version_dir_.string(), ec.message()));
    return;
  }
  if (::access(version_dir_.c_str(), W_OK | X_OK) != 0) {
    warn(fmt::format("cannot write in the folder '{}'; running without it", version_dir_.string()));
    return;
  }
  usable_ = true;
}

void DiskCache::warn(const std::string& message) const {
  std::fflush(stdout);
  fmt::print(stderr, "hwsim: warning: result cache: {}\n", message);
}

void DiskCache::discard(const fs::path& file, const std::string& why) const {
  warn(fmt::format("entry '{}' is damaged ({}); deleted, the result is computed again", file.string(), why));
  std::error_code ec;
  fs::remove(file, ec);
}

fs::path DiskCache::entry_path(std::string_view key) const {
  const std::string h = sha256_hex(key);
  return version_dir_ / h.substr(0, 2) / (h + ".entry");
}

std::optional<std::string> DiskCache::find(std::string_view key) {
  if (!usable_) return std::nullopt;
  const fs::path file = entry_path(key);
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    discard(file, "read error");
    return std::nullopt;
  }
  const std::string text = ss.str();
  ParsedEntry e = parse_cache_entry(text, key);
  if (!e.payload) {
    // Another key's whole entry (a SHA-256 collision) is left for store() to replace.
    if (!e.other_key) discard(file, e.problem);
    return std::nullopt;
  }
  // Least recently used is judged by mtime: a read counts as a use.
  std::error_code ec;
  fs::last_write_time(file, fs::file_time_type::clock::now(), ec);
  return std::move(e.payload);
}

void DiskCache::store(std::string_view key, std::string_view payload) {
  if (!usable_) return;
  const fs::path file = entry_path(key);
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) {
    warn(fmt::format("cannot create the folder '{}' ({}); storing no more results", file.parent_path().string(),
                     ec.message()));
    usable_ = false;
    return;
  }
  // Unique per process and write: concurrent writers never share a temporary file.
  const fs::path tmp =
      file.parent_path() / fmt::format(".{}.{}.{}.tmp", file.stem().string(), ::getpid(), ++temp_counter_);
  const std::string text = format_cache_entry(key, payload);
  const InterruptDeferral writing;  // an interrupt waits for the entry to be in place or removed
  const TempPathGuard guard(tmp);   // an interrupt removes the half-written entry
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      warn(fmt::format("cannot write '{}' (disk full?); storing no more results", tmp.string()));
      usable_ = false;
      return;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    warn(fmt::format("cannot move an entry into place at '{}'; storing no more results", file.string()));
    usable_ = false;
    return;
  }
  const auto bytes = static_cast<std::int64_t>(text.size());
  if (known_bytes_ < 0 || known_bytes_ + bytes > options_.max_bytes || writes_since_walk_ >= kWritesPerWalk) {
    enforce_limit();
  } else {
    known_bytes_ += bytes;  // an overwritten entry is counted twice: the next walk corrects it
    ++writes_since_walk_;
  }
}

// Walks DIR/<version>/<shard>/ of every version; other processes may delete
// files meanwhile, so every step tolerates a file that has gone.
void DiskCache::enforce_limit() {
  struct File {
    fs::path path;
    std::int64_t bytes;
    fs::file_time_type mtime;
    int rank;  // 0: stale temporary file, 1: another version's entry, 2: this version's
  };
  std::vector<File> files;
  std::int64_t total = 0;
  const auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (const auto& version : fs::directory_iterator(options_.dir, ec)) {
    std::error_code e1;
    if (!version.is_directory(e1)) continue;
    const bool current = version.path().filename() == version_dir_.filename();
    for (const auto& shard : fs::directory_iterator(version.path(), e1)) {
      std::error_code e2;
      if (!shard.is_directory(e2)) continue;
      for (const auto& f : fs::directory_iterator(shard.path(), e2)) {
        std::error_code e3;
        const std::string ext = f.path().extension().string();
        if ((ext != ".entry" && ext != ".tmp") || !f.is_regular_file(e3)) continue;
        const auto size = f.file_size(e3);
        const auto mtime = f.last_write_time(e3);
        if (e3) continue;
        const bool temp = ext == ".tmp";
        if (temp && now - mtime < kStaleTemp) {
          total += static_cast<std::int64_t>(size);  // a write in progress: counted, kept
          continue;
        }
        files.push_back({f.path(), static_cast<std::int64_t>(size), mtime, temp ? 0 : current ? 2 : 1});
        total += static_cast<std::int64_t>(size);
      }
    }
  }
  writes_since_walk_ = 0;
  known_bytes_ = total;
  if (total <= options_.max_bytes) return;
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.mtime != b.mtime) return a.mtime < b.mtime;
    return a.path < b.path;
  });
  const std::int64_t target = options_.max_bytes / 10 * 9;
  for (const File& f : files) {
    if (total <= target) break;
    std::error_code e;
    fs::remove(f.path, e);
    total -= f.bytes;
    known_bytes_ = total;
    // Another version's shard and version folders go when they empty.
    if (f.rank == 1) {
      fs::remove(f.path.parent_path(), e);  // only removes an empty folder
      fs::remove(f.path.parent_path().parent_path(), e);
    }
  }
}

}  // namespace hwsim
