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

// Throws the error write_file_atomic would give for a path it refuses (a
// folder, device or FIFO), so a command can refuse it before a long run.
void check_output_path(const std::filesystem::path& path);

}  // namespace hwsim
