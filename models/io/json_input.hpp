#pragma once
// Strict JSON reading for hwsim's inputs: nlohmann::json keeps the last of two
// equal keys of an object silently, so a record or an input file with a key
// given twice would be read as something its author did not write.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hwsim {

// Parses `text` like nlohmann::json::parse (a syntax error still throws
// nlohmann::json::parse_error for the caller to locate), and throws
// hwsim::Error "<where>: duplicate key '<key>' in one JSON object" when an
// object holds a key twice, or "<where>: malformed JSON: a number out of
// range" for a number beyond a double.
nlohmann::json parse_json_unique(std::string_view text, const std::string& where);

// The offset of the first byte of `text` that is not part of well-formed
// UTF-8 (RFC 3629: no overlong forms, surrogates or code points beyond
// U+10FFFF), or std::string_view::npos. Text read from YAML or the command
// line ends up in JSON outputs, which must be UTF-8: check it on input, where
// the error can name the file and line, not when the output is written.
size_t invalid_utf8_at(std::string_view text);

}  // namespace hwsim
