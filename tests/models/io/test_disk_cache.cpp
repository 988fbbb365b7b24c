// The result cache's disk store: entries round-trip, damaged entries are
// detected and deleted, versions are kept apart, the folder stays under its
// bound, and concurrent writers do not disturb each other.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "models/io/disk_cache.hpp"
#include "models/io/sha256.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using hwsim::DiskCache;
using hwsim::DiskCacheOptions;

namespace {

using hwsim::testing::TempDir;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

std::int64_t folder_bytes(const fs::path& dir) {
  std::int64_t total = 0;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (f.is_regular_file()) total += static_cast<std::int64_t>(f.file_size());
  }
  return total;
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[cache]") {
  CHECK(hwsim::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hwsim::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hwsim::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 56..63 bytes: the length no longer fits the last block.
  CHECK(hwsim::sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(hwsim::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("a stored entry is found by its key, in its version's folder", "[cache]") {
  TempDir t("hwsim-disk-cache");
  DiskCache c({t.path, "v1"});
  REQUIRE(c.usable());
  CHECK_FALSE(c.find("kind gemm m=1").has_value());
  c.store("kind gemm m=1", "{\"time_us\": 1.5}");
  c.store("kind gemm m=2", "{\"time_us\": 2.5}");
  CHECK(c.find("kind gemm m=1") == std::optional<std::string>("{\"time_us\": 1.5}"));
  CHECK(c.find("kind gemm m=2") == std::optional<std::string>("{\"time_us\": 2.5}"));
  const fs::path file = c.entry_path("kind gemm m=1");
  CHECK(file.parent_path().parent_path() == t.path / "v1");
  CHECK(file.filename() == hwsim::sha256_hex("kind gemm m=1") + ".entry");
  CHECK(fs::exists(file));
  // Another process (a new DiskCache) reads it; no temporary files remain.
  DiskCache other({t.path, "v1"});
  CHECK(other.find("kind gemm m=2") == std::optional<std::string>("{\"time_us\": 2.5}"));
  for (const auto& f : fs::recursive_directory_iterator(t.path)) CHECK(f.path().extension() != ".tmp");
}

TEST_CASE("an entry of another simulator version is never served", "[cache]") {
  TempDir t("hwsim-disk-cache");
  DiskCache old_version({t.path, "aaaa"});
  old_version.store("key", "old result");
  DiskCache new_version({t.path, "bbbb"});
  CHECK_FALSE(new_version.find("key").has_value());
  // Even an old entry copied into the new version's folder is not the new key's.
  fs::create_directories(new_version.entry_path("key").parent_path());
  fs::copy_file(old_version.entry_path("key"), new_version.entry_path("key"));
  CHECK(new_version.find("key") == std::optional<std::string>("old result"));  // same key, same version: served
  CHECK(old_version.find("key") == std::optional<std::string>("old result"));
  CHECK_FALSE(new_version.find("key2").has_value());
}

TEST_CASE("a truncated, altered or foreign entry is detected, deleted and not served", "[cache]") {
  TempDir t("hwsim-disk-cache");
  DiskCache c({t.path, "v1"});
  const std::string payload(5000, 'x');
  c.store("key", payload);
  const fs::path file = c.entry_path("key");
  const std::string good = read(file);
  SECTION("truncated") {
    for (size_t cut : {size_t{0}, size_t{10}, size_t{40}, good.size() / 2, good.size() - 1}) {
      write(file, good.substr(0, cut));
      CHECK_FALSE(c.find("key").has_value());
      CHECK_FALSE(fs::exists(file));
    }
  }
  SECTION("one byte flipped anywhere") {
    for (size_t at : {size_t{3}, size_t{25}, size_t{60}, good.size() - 4000, good.size() - 1}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ 0x20);
      write(file, bad);
      CHECK_FALSE(c.find("key").has_value());
      CHECK_FALSE(fs::exists(file));
    }
  }
  SECTION("bytes appended") {
    write(file, good + "\n");
    CHECK_FALSE(c.find("key").has_value());
    CHECK_FALSE(fs::exists(file));
  }
  SECTION("a whole entry of another key under this key's name (a hash collision) is a miss, replaced on store") {
    write(file, hwsim::format_cache_entry("another key", "another payload"));
    CHECK_FALSE(c.find("key").has_value());
    CHECK(fs::exists(file));
    c.store("key", payload);
    CHECK(c.find("key") == payload);
  }
  // After any of these, a store puts a good entry back.
  c.store("key", payload);
  CHECK(c.find("key") == payload);
}

TEST_CASE("the folder is kept under its bound, other versions and the least recently used going first", "[cache]") {
  TempDir t("hwsim-disk-cache");
  const std::string payload(10000, 'p');
  const std::int64_t entry = static_cast<std::int64_t>(hwsim::format_cache_entry("key 00", payload).size());
  DiskCache old_version({t.path, "old", 100 * entry});
  for (int i = 0; i < 5; ++i) old_version.store("old " + std::to_string(i), payload);
  const std::int64_t limit = 10 * entry + entry / 2;  // room for 10 entries
  DiskCache c({t.path, "new", limit});
  // Entry i is written at time i; entry 0 is then read, which makes it the most recent.
  auto age = [&](const std::string& key, int minutes_ago) {
    fs::last_write_time(c.entry_path(key), fs::file_time_type::clock::now() - std::chrono::minutes(minutes_ago));
  };
  for (int i = 0; i < 6; ++i) {
    const std::string key = "key " + std::to_string(i);
    c.store(key, payload);
    age(key, 100 - i);
  }
  // 11 entries: down to 90% of the bound (9 entries), another version's first.
  CHECK(folder_bytes(t.path) <= limit);
  CHECK(fs::exists(t.path / "old"));
  for (int i = 0; i < 6; ++i) CHECK(fs::exists(c.entry_path("key " + std::to_string(i))));
  REQUIRE(c.find("key 0").has_value());  // touched: now the most recently used
  for (int i = 6; i < 12; ++i) {
    c.store("key " + std::to_string(i), payload);
    CHECK(folder_bytes(t.path) <= limit);
  }
  // The old version's last entries went first (and its folder), then the least recently used.
  CHECK_FALSE(fs::exists(t.path / "old"));
  CHECK(c.find("key 0").has_value());
  CHECK_FALSE(c.find("key 1").has_value());
  CHECK_FALSE(c.find("key 2").has_value());
  CHECK_FALSE(c.find("key 3").has_value());
  for (int i = 4; i < 12; ++i) CHECK(c.find("key " + std::to_string(i)).has_value());
  CHECK(folder_bytes(t.path) <= limit / 10 * 9 + entry);
}

TEST_CASE("processes writing the same cache at once all succeed", "[cache]") {
  TempDir t("hwsim-disk-cache");
  const std::string payload(20000, 'q');
  std::vector<pid_t> children;
  for (int p = 0; p < 4; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int bad = 0;
      DiskCache c({t.path, "v1"});
      for (int round = 0; round < 50; ++round) {
        for (int k = 0; k < 5; ++k) {
          const std::string key = "shared " + std::to_string(k);
          c.store(key, payload + key);
          const auto got = c.find(key);
          if (!got || *got != payload + key) ++bad;
        }
      }
      ::_exit(bad == 0 && c.usable() ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  DiskCache c({t.path, "v1"});
  for (int k = 0; k < 5; ++k) CHECK(c.find("shared " + std::to_string(k)) == payload + "shared " + std::to_string(k));
  for (const auto& f : fs::recursive_directory_iterator(t.path)) CHECK(f.path().extension() != ".tmp");
}

TEST_CASE("a folder that cannot be created or written disables the cache without an error", "[cache]") {
  TempDir t("hwsim-disk-cache");
  write(t.path / "a-file", "not a folder");
  DiskCache under_file({t.path / "a-file" / "cache", "v1"});
  CHECK_FALSE(under_file.usable());
  CHECK_NOTHROW(under_file.store("key", "payload"));
  CHECK_FALSE(under_file.find("key").has_value());
  if (::geteuid() != 0) {  // root writes anywhere
    fs::create_directories(t.path / "locked");
    fs::permissions(t.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    DiskCache locked({t.path / "locked", "v1"});
    CHECK_FALSE(locked.usable());
  }
}
