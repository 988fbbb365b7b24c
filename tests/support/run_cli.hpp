#pragma once
// Runs the hwsim binary (HWSIM_BIN, set by CMake) with `args` through the shell
// and returns its stdout and exit code, for end-to-end tests written in C++.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace hwsim::testing {

struct CliOutput {
  std::string text;
  int rc;
};

inline CliOutput run_cli(const std::string& args) {
  const std::string cmd = std::string(HWSIM_BIN) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string s;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) s.append(buf, n);
  const int status = pclose(p);
  return {s, WEXITSTATUS(status)};
}

}  // namespace hwsim::testing
