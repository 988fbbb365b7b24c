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

// A file the parser under test reads, in a folder of this process's own
// (the parsers take paths, as the CLI gives them).
inline std::filesystem::path input_file(const std::string& name, std::string_view text) {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("hwsim_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("hwsim_fuzz_" + std::to_string(::getpid())),
                                  ec);
    });
    return d;
  }();
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
