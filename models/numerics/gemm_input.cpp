#include "models/numerics/gemm_input.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/io/json_input.hpp"
#include "models/numerics/formats.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {
namespace {

// A JSON matrix of numbers, each exactly an E4M3 value.
CodeMatrix e4m3_matrix(const nlohmann::json& j, const std::string& file, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_array() || j.at(key).empty())
    throw Error(fmt::format("{}: \"{}\" must be a non-empty array of rows", file, key));
  const nlohmann::json& rows = j.at(key);
  const size_t cols = rows.at(0).is_array() ? rows.at(0).size() : 0;
  if (cols == 0) throw Error(fmt::format("{}: \"{}\"[0] must be a non-empty array of numbers", file, key));
  CodeMatrix m(Eigen::Index(rows.size()), Eigen::Index(cols));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].is_array() || rows[i].size() != cols)
      throw Error(fmt::format("{}: \"{}\" row {} must have {} numbers like row 0", file, key, i, cols));
    for (size_t c = 0; c < cols; ++c) {
      const nlohmann::json& v = rows[i][c];
      if (!v.is_number()) throw Error(fmt::format("{}: \"{}\" row {} column {} is not a number", file, key, i, c));
      const double x = v.get<double>();
      const uint32_t code = encode(kE4M3, x, Overflow::no_saturate);
      if (is_nan_code(kE4M3, code) || decode(kE4M3, code) != x)
        throw Error(fmt::format("{}: \"{}\" row {} column {}: {} is not exactly representable in E4M3", file, key, i, c,
                                v.dump()));
      m(Eigen::Index(i), Eigen::Index(c)) = uint8_t(code);
    }
  }
  return m;
}

}  // namespace

GemmInput parse_gemm_input(std::string_view text, const std::string& file) {
  const nlohmann::json j = parse_json_document(text, file);
  GemmInput in{e4m3_matrix(j, file, "a"), e4m3_matrix(j, file, "b")};
  if (in.a.cols() != in.b.cols())
    throw Error(fmt::format("{}: A has K = {} columns but B has {}", file, in.a.cols(), in.b.cols()));
  return in;
}

GemmInput load_gemm_input(const std::string& file) {
  require_regular_input(file, file);  // a FIFO or /dev/zero was read for good
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open", file));
  std::stringstream text;
  text << in.rdbuf();
  return parse_gemm_input(text.str(), file);
}

}  // namespace hwsim::numerics
