#include "models/io/atomic_file.hpp"

#include <unistd.h>

#include <fstream>
#include <system_error>

#include "models/io/interrupt_cleanup.hpp"
#include "models/spec/error.hpp"

namespace hwsim {
namespace {

namespace fs = std::filesystem;

// Where the bytes must go: a symlink's target (replacing the link with a
// file would silently detach whatever the link stood for), and never a
// device, FIFO or folder, which a rename would replace by a regular file.
fs::path destination(const fs::path& path) {
  std::error_code ec;
  const fs::path target = resolve_symlinks(path);
  const fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    throw Error("'" + path.string() + "' is not a regular file (a folder, device or FIFO); refusing to write over it");
  }
  return target;
}

}  // namespace

fs::path resolve_symlinks(const fs::path& path) {
  std::error_code ec;
  fs::path target = path;
  // Link by link, so that a dangling link is written through too: weakly_canonical stops at the last path
  // that exists, which for a dangling link is the link itself (the rename then replaced it).
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    if (hops == 40) throw Error("cannot resolve the symbolic link '" + path.string() + "': a loop of links");
    const fs::path next = fs::read_symlink(target, ec);
    if (ec) throw Error("cannot resolve the symbolic link '" + path.string() + "': " + ec.message());
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  return target;
}

void check_output_path(const std::filesystem::path& path) { destination(path); }

void write_file_atomic(const std::filesystem::path& requested, std::string_view content) {
  const fs::path path = destination(requested);
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw Error("cannot create folder '" + path.parent_path().string() + "': " + ec.message());
  }
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  const InterruptDeferral writing;  // an interrupt waits for the file to be in place or removed
  const TempPathGuard guard(tmp);   // an interrupt removes the half-written file
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + requested.string() + "'");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error("cannot write '" + requested.string() + "' (disk full?)");
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw Error("cannot move the finished file into place at '" + requested.string() + "'");
  }
}

}  // namespace hwsim
