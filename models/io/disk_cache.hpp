#pragma once
// DiskCache: a bounded, content-addressed store of text entries on disk, shared
// by every process that opens the same folder. An entry is found by its key (any
// string); the file is named by the key's SHA-256 and holds a header, the key
// itself and the payload, with a checksum over both:
//
//   DIR/<version>/<first 2 hex digits>/<sha256 of key>.entry
//
//   hwsim-cache-entry 1\n
//   key-bytes <K>\n
//   payload-bytes <P>\n
//   sha256 <hex of key + payload>\n
//   \n
//   <key: K bytes><payload: P bytes>
//
// Entries of one version live under DIR/<version>/ only, so a reader never sees
// another version's entries. A writer writes a temporary file in the entry's
// folder and renames it over the entry (atomic: readers see the old file or
// the new one; concurrent writers of one entry are harmless). An entry that is
// truncated, altered or unreadable is reported on stderr naming the file,
// deleted, and reported as absent. Writes keep the folder under max_bytes: when
// the entries of all versions exceed it, other versions' entries and then the
// least recently used (file mtime, touched on each read) are deleted down to 90%
// of it. The folder is walked at a process's first write, whenever that walk's
// total plus the process's own writes since would pass the bound, and at least
// every kWritesPerWalk writes (so other processes' writes are seen: the folder
// can exceed the bound by what they wrote since, for a while). A folder that cannot be created or written is a
// warning, and the cache then stores nothing; it never throws.
//
// Contract: find() returns a payload only if the entry's key equals `key` and
// its checksum holds; store() never leaves a partial entry visible.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hwsim {

struct DiskCacheOptions {
  std::filesystem::path dir;           // the cache folder (all versions)
  std::string version;                 // sub-folder of this version's entries
  std::int64_t max_bytes = 1LL << 30;  // bound on the whole folder (all versions)
};

class DiskCache {
 public:
  explicit DiskCache(DiskCacheOptions options);

  // False when the folder could not be created (a warning was printed).
  bool usable() const { return usable_; }
  std::optional<std::string> find(std::string_view key);
  void store(std::string_view key, std::string_view payload);
  // Where the entry of `key` lives (whether or not it exists).
  std::filesystem::path entry_path(std::string_view key) const;
  const std::filesystem::path& version_dir() const { return version_dir_; }

 private:
  void warn(const std::string& message) const;
  void discard(const std::filesystem::path& file, const std::string& why) const;
  void enforce_limit();

  static constexpr int kWritesPerWalk = 32;

  DiskCacheOptions options_;
  std::filesystem::path version_dir_;
  bool usable_ = false;
  std::uint64_t temp_counter_ = 0;
  std::int64_t known_bytes_ = -1;  // the folder at the last walk plus this process's writes since; -1: not walked
  int writes_since_walk_ = 0;
};

// Serialises an entry (the format above); parse_cache_entry returns the payload,
// or the reason the text is not a whole entry of `key`.
std::string format_cache_entry(std::string_view key, std::string_view payload);
struct ParsedEntry {
  std::optional<std::string> payload;
  std::string problem;     // when !payload: "truncated", "checksum mismatch", ...
  bool other_key = false;  // a whole entry of another key (a hash collision)
};
ParsedEntry parse_cache_entry(std::string_view text, std::string_view key);

}  // namespace hwsim
