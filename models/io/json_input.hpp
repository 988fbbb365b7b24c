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
// object holds a key twice.
nlohmann::json parse_json_unique(std::string_view text, const std::string& where);

}  // namespace hwsim
