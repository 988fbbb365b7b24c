#include "python/child_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "models/io/interrupt_cleanup.hpp"
#include "models/spec/error.hpp"

namespace hwsim::python {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// A fresh private folder: mkdtemp, because several threads may call at once.
fs::path make_work_dir() {
  std::string pattern = (fs::temp_directory_path() / "hwsim_python_XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a temporary folder for the simulation");
  return pattern;
}

void redirect(int fd, const fs::path& file) {
  const int f = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (f >= 0) {
    ::dup2(f, fd);
    ::close(f);
  }
}

// The child: never returns. Exit 0 with result.txt, 1 with error.txt (bad
// input), 3 with error.txt (internal error).
[[noreturn]] void child_main(const std::function<std::string()>& work, const fs::path& dir) {
  install_interrupt_cleanup_in_child();  // SIGTERM from the parent stops grandchildren and removes their files
  redirect(1, dir / "stdout.txt");
  redirect(2, dir / "stderr.txt");
  int code = 0;
  try {
    write_text(dir / "result.txt", work());
  } catch (const Error& e) {
    write_text(dir / "error.txt", e.what());
    code = 1;
  } catch (const std::exception& e) {
    write_text(dir / "error.txt", fmt::format("internal error: {}", e.what()));
    code = 3;
  }
  std::cout.flush();
  std::fflush(nullptr);
  ::_exit(code);
}

std::string last_line(const fs::path& file) {
  std::string text = read_text(file);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const auto cut = text.find_last_of("\r\n");
  return cut == std::string::npos ? text : text.substr(cut + 1);
}

ChildOutcome outcome_of(int status, const fs::path& dir) {
  ChildOutcome o;
  o.output = read_text(dir / "stdout.txt");
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 0 && fs::exists(dir / "result.txt")) {
    o.status = ChildOutcome::Status::kOk;
    o.result = read_text(dir / "result.txt");
  } else if ((code == 1 || code == 3) && fs::exists(dir / "error.txt")) {
    o.status = code == 1 ? ChildOutcome::Status::kInputError : ChildOutcome::Status::kInternalError;
    o.error = read_text(dir / "error.txt");
  } else {
    const std::string why =
        WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status)) : fmt::format("exit status {}", code);
    const std::string said = last_line(dir / "stderr.txt");
    o.error = fmt::format("the simulation process crashed ({}){}", why, said.empty() ? "" : ": " + said);
  }
  return o;
}

// Waits for `pid`, ticking; stops the child if a tick throws.
int wait_for(pid_t pid, const fs::path& dir, const TickFn& tick) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_tick = start;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) throw Error("lost the simulation process (waitpid failed)");
    if (tick && Clock::now() >= next_tick) {
      next_tick += std::chrono::milliseconds(500);
      try {
        // Progress lines (a sweep's) go to stdout; warnings to stderr.
        std::string line = last_line(dir / "stdout.txt");
        if (line.empty()) line = last_line(dir / "stderr.txt");
        tick(std::chrono::duration<double>(Clock::now() - start).count(), line);
      } catch (...) {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, &status, 0);
        throw;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

ChildOutcome run_in_child(const std::function<std::string()>& work, const TickFn& tick) {
  const fs::path dir = make_work_dir();
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    fs::remove_all(dir);
    throw Error("cannot start a simulation process (fork failed)");
  }
  if (pid == 0) child_main(work, dir);
  ChildOutcome o;
  try {
    o = outcome_of(wait_for(pid, dir, tick), dir);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return o;
}

}  // namespace hwsim::python
