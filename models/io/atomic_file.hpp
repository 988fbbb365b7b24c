#pragma once
// Writes a whole file or nothing: the text goes to a temporary file beside the
// target, which is renamed over it once complete. A crash or an error never
// leaves a half-written result behind, nor does an interrupt
// (models/io/interrupt_cleanup.hpp). A symlink is written through to its
// target; a folder, device or FIFO is refused.
#include <filesystem>
#include <string_view>

namespace hwsim {

// Creates parent folders as needed; throws hwsim::Error naming the path.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// The path a chain of symlinks ends at, link by link (the path itself when it is no link, and the target of a
// dangling link); throws hwsim::Error naming `path` for a loop. Whoever replaces a path by renaming over it
// writes here, so that a link stays a link.
std::filesystem::path resolve_symlinks(const std::filesystem::path& path);

// Throws the error write_file_atomic would give for a path it refuses (a
// folder, device or FIFO), so a command can refuse it before a long run.
void check_output_path(const std::filesystem::path& path);

}  // namespace hwsim
