#pragma once
// A file compiled into the binary (cmake/EmbedFiles.cmake): the GPU presets.
#include <string_view>

namespace hwsim {

struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "h100-sxm.yaml"
  std::string_view text;
};

}  // namespace hwsim
