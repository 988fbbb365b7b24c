// Outputs go where the user meant or nowhere (symlinks written through,
// special files refused), duplicate JSON keys are errors, and an interrupt
// removes the temporary paths registered for it (docs/reliability.md).
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "models/io/atomic_file.hpp"
#include "models/io/interrupt_cleanup.hpp"
#include "models/io/json_input.hpp"
#include "models/spec/error.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("hwsim_io_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_of(const fs::path& p) {
  try {
    hwsim::write_file_atomic(p, "new\n");
  } catch (const hwsim::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("an output through a symlink replaces the link's target and keeps the link") {
  const fs::path d = scratch("link");
  std::ofstream(d / "target.json") << "old\n";
  fs::create_symlink("target.json", d / "link.json");
  hwsim::write_file_atomic(d / "link.json", "new\n");
  CHECK(fs::is_symlink(d / "link.json"));
  CHECK(read_text(d / "target.json") == "new\n");
  fs::remove_all(d);
}

TEST_CASE("an output through a dangling symlink creates its target and keeps the link") {
  const fs::path d = scratch("dangling");
  fs::create_symlink("sub/target.json", d / "link.json");  // once replaced by a regular file
  hwsim::write_file_atomic(d / "link.json", "new\n");
  CHECK(fs::is_symlink(d / "link.json"));
  CHECK(read_text(d / "sub" / "target.json") == "new\n");
  fs::create_symlink("loop_b", d / "loop_a");
  fs::create_symlink("loop_a", d / "loop_b");
  CHECK(error_of(d / "loop_a") ==
        fmt::format("cannot resolve the symbolic link '{}': a loop of links", (d / "loop_a").string()));
  fs::remove_all(d);
}

// Inputs: a FIFO waited for a writer for good (numerics gemm --in, numerics check --data, a report's results
// file) and /dev/zero never ended.
TEST_CASE("an input that is not a regular file is refused before it is opened") {
  const fs::path d = scratch("inputs");
  REQUIRE(::mkfifo((d / "fifo").c_str(), 0600) == 0);
  const auto error = [](const fs::path& p) -> std::string {
    try {
      hwsim::require_regular_input(p, "in " + p.string());
    } catch (const hwsim::Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(error(d / "fifo") ==
        fmt::format("in {}: not a regular file (a folder, device or FIFO)", (d / "fifo").string()));
  CHECK(error("/dev/zero") == "in /dev/zero: not a regular file (a folder, device or FIFO)");
  CHECK(error(d) == fmt::format("in {}: not a regular file (a folder, device or FIFO)", d.string()));
  CHECK(error(d / "missing.json") == "(no error)");  // the caller's own message
  std::ofstream(d / "ok.json") << "{}";
  CHECK(error(d / "ok.json") == "(no error)");
  fs::remove_all(d);
}

// The message for an output that is not a regular file.
std::string refused(const fs::path& p) {
  return fmt::format("'{}' is not a regular file (a folder, device or FIFO); refusing to write over it", p.string());
}

TEST_CASE("special files and folders are refused as outputs, with the path") {
  const fs::path d = scratch("special");
  REQUIRE(::mkfifo((d / "fifo").c_str(), 0600) == 0);
  CHECK(error_of(d / "fifo") == refused(d / "fifo"));
  CHECK(error_of(d) == refused(d));
  CHECK(error_of("/dev/null") == refused("/dev/null"));
  CHECK(fs::is_fifo(d / "fifo"));
  fs::remove_all(d);
}

TEST_CASE("a JSON object with a key given twice is an error naming the key") {
  const auto error = [](const std::string& text) -> std::string {
    try {
      hwsim::parse_json_unique(text, "f.jsonl:3");
    } catch (const hwsim::Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(error(R"({"a": 1, "a": 2})") == "f.jsonl:3: duplicate key 'a' in one JSON object");
  CHECK(error(R"({"p": {"m": 1, "n": 2, "m": 3}})") == "f.jsonl:3: duplicate key 'm' in one JSON object");
  CHECK(error(R"([{"a": 1}, {"a": 2}])") == "(no error)");  // one key in each of two objects
  CHECK(error(R"({"a": {"a": 1}})") == "(no error)");       // nested objects have their own keys
  CHECK(hwsim::parse_json_unique(R"({"x": [1, 2]})", "f")["x"][1] == 2);
  CHECK_THROWS_AS(hwsim::parse_json_unique("{\"a\": ", "f"), nlohmann::json::parse_error);
}

TEST_CASE("JSON nested more than 256 deep is an error naming its line and column, not a stack overflow") {
  const auto error = [](const std::string& text) -> std::string {
    try {
      hwsim::parse_json_unique(text, "f.json");
    } catch (const hwsim::Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  const auto nested = [](int depth) {
    return fmt::format("{}{}", std::string(size_t(depth), '['), std::string(size_t(depth), ']'));
  };
  CHECK(error(nested(256)) == "(no error)");
  CHECK(error(nested(257)) == "f.json: lists and objects nested more than 256 deep (line 1, column 257)");
  CHECK(error(fmt::format("{{\"a\":\n  {}}}", nested(300))) ==
        "f.json: lists and objects nested more than 256 deep (line 2, column 258)");
  // A million deep, as a hostile file may be: refused before nlohmann::json builds (and recurses over) it.
  CHECK(error(nested(1000000)) == "f.json: lists and objects nested more than 256 deep (line 1, column 257)");
  // Brackets inside strings, escaped quotes included, are text.
  CHECK(error(fmt::format("[\"\\\"{}\"]", std::string(300, '['))) == "(no error)");
}

TEST_CASE("SIGTERM removes the registered temporary paths, restores a file set aside and exits 143") {
  const fs::path d = scratch("signal");
  std::ofstream(d / "half.tmp.1") << "partial";
  fs::create_directories(d / "report.tmp.1" / "sub");
  std::ofstream(d / "report.old") << "previous report";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    hwsim::install_interrupt_cleanup();
    const hwsim::TempPathGuard file(d / "half.tmp.1"), folder(d / "report.tmp.1"), old(d / "report.old", d / "report");
    ::kill(::getpid(), SIGTERM);
    ::pause();  // the cleanup thread exits the process
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  CHECK_FALSE(fs::exists(d / "half.tmp.1"));
  CHECK_FALSE(fs::exists(d / "report.tmp.1"));
  CHECK(read_text(d / "report") == "previous report");
  fs::remove_all(d);
}

// The cleanup thread runs beside the others: it waits for a deferral (a path being created or renamed into place),
// and a thread that returns from main while it runs waits for its exit. Once a report folder was removed while
// it was being renamed into place (no report left), and `hwsim bench` returned 0 from main while the cleanup of
// its SIGINT was still running.
TEST_CASE("an interrupt waits for a deferral, and an exit waits for the cleanup") {
  const fs::path d = scratch("deferral");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    hwsim::install_interrupt_cleanup();
    std::optional<hwsim::TempPathGuard> guard;
    {
      const hwsim::InterruptDeferral writing;
      guard.emplace(d / "out.tmp.1");  // registered first, created after the signal: still removed
      ::kill(::getpid(), SIGTERM);
      ::usleep(100000);
      std::ofstream(d / "out.tmp.1") << "partial";
      std::ofstream(d / "reached") << "the deferral ran to its end";
    }
    ::usleep(100000);
    std::exit(0);  // waits for the cleanup's _exit(143)
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  CHECK(fs::exists(d / "reached"));
  CHECK_FALSE(fs::exists(d / "out.tmp.1"));
  fs::remove_all(d);
}
