#pragma once
// What every fuzz target shares (docs/reliability.md, "Fuzzing"): a parser of
// user input may only answer bad input with hwsim::Error, whose message is one
// non-empty line naming what is wrong. Any other exception (a yaml-cpp or
// nlohmann::json error that escaped, std::bad_alloc, std::out_of_range) would
// reach the CLI as "internal error" with no file or key, so it aborts the
// fuzzer like a crash; so do sanitizer reports, hangs and running out of memory.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "models/spec/error.hpp"

namespace hwsim::fuzz {

// Runs `parse`; returns normally for success or a well-formed hwsim::Error.
template <typename F>
void expect_clean_error(F&& parse) {
  try {
    parse();
  } catch (const Error& e) {
    const std::string_view what = e.what();
    if (what.empty()) {
      std::fprintf(stderr, "fuzz: hwsim::Error with an empty message\n");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: exception other than hwsim::Error: %s\n", e.what());
    std::abort();
  }
}

// The folder of this process's input files: in memory (/dev/shm) where the
// system has one, else in the temporary folder. On a disk, rewriting a file
// every run costs a write-back of its blocks when it is closed (ext4 flushes a
// file truncated to zero and rewritten), more than most parsers take.
inline const std::filesystem::path& input_dir() {
  // Never destroyed: the atexit handler below reads it after static destructors may have run.
  static const std::filesystem::path* const dir = [] {
    std::error_code ec;
    const std::filesystem::path shm("/dev/shm");
    const bool in_memory = std::filesystem::is_directory(shm, ec) && ::access(shm.c_str(), W_OK) == 0;
    const std::filesystem::path base = in_memory ? shm : std::filesystem::temp_directory_path();
    const auto* d = new std::filesystem::path(base / ("hwsim_fuzz_" + std::to_string(::getpid())));
    std::filesystem::create_directories(*d);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(input_dir(), ignored);
    });
    return d;
  }();
  return *dir;
}

// A file the parser under test reads, in a folder of this process's own
// (the parsers take paths, as the CLI gives them).
inline std::filesystem::path input_file(const std::string& name, std::string_view text) {
  const std::filesystem::path& dir = input_dir();
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

// The input split at each '\n' (a last line without '\n' counts).
inline std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace hwsim::fuzz
