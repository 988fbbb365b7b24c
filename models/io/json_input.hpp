#pragma once
// Strict JSON reading for hwsim's inputs: nlohmann::json keeps the last of two
// equal keys of an object silently, so a record or an input file with a key
// given twice would be read as something its author did not write.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hwsim {

// The deepest nesting of lists and objects read from a JSON input. hwsim's own
// files nest fewer than 10 deep; nlohmann::json copies, compares and dumps a
// value recursively, so a file nested a million deep would overflow the stack
// instead of giving an error.
inline constexpr int kMaxJsonDepth = 256;

// Parses `text` like nlohmann::json::parse (a syntax error still throws
// nlohmann::json::parse_error for the caller to locate), and throws
// hwsim::Error "<where>: duplicate key '<key>' in one JSON object" when an
// object holds a key twice, "<where>: malformed JSON: a number out of range"
// for a number beyond a double, or "<where>: lists and objects nested more
// than 256 deep (line L, column C)" (check_json_depth).
nlohmann::json parse_json_unique(std::string_view text, const std::string& where);

// parse_json_unique for a whole input file: a syntax error becomes
// hwsim::Error "<where>: not valid JSON (<parser's message>)".
nlohmann::json parse_json_document(std::string_view text, const std::string& where);

// Throws hwsim::Error "<where>: lists and objects nested more than 256 deep
// (line L, column C)" naming the bracket that opens level 257 of `text`
// (brackets inside strings do not count). Runs before any parsing.
void check_json_depth(std::string_view text, const std::string& where);

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8 (RFC 3629: no overlong forms, surrogates or code points beyond
// U+10FFFF), or std::string_view::npos. Text read from YAML or the command
// line ends up in JSON outputs, which must be UTF-8: check it on input, where
// the error can name the file and line, not when the output is written.
size_t invalid_utf8_at(std::string_view text);

// Throws hwsim::Error "<where>: not a regular file (a folder, device or FIFO)" when `path` exists and is not a
// regular file (a symlink is followed): reading a FIFO waits for a writer for good, and /dev/zero never ends.
// Call it before opening an input file; a missing file is left to the caller's own message.
void require_regular_input(const std::filesystem::path& path, const std::string& where);

}  // namespace hwsim
