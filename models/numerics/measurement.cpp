#include "models/numerics/measurement.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/io/json_input.hpp"
#include "models/numerics/formats.hpp"
#include "models/numerics/random_matrices.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {
namespace {

// Bounds of a measured case: hwnumerics writes 64 x 64 x 16384 at most; a
// size beyond these is a damaged file, refused before anything is allocated.
constexpr int64_t kMaxDimension = 65536;
constexpr int64_t kMaxMatrixElements = int64_t{1} << 24;

int hex_digit(char ch, const std::string& where) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  throw Error(where + ": invalid hex digit '" + std::string(1, ch) + "'");
}

std::vector<uint32_t> hex_words(const std::string& s, size_t digits, size_t count, const std::string& where) {
  if (s.size() != digits * count)
    throw Error(fmt::format("{}: expected {} hex digits, found {}", where, digits * count, s.size()));
  std::vector<uint32_t> out(count);
  for (size_t i = 0; i < count; ++i) {
    uint32_t v = 0;
    for (size_t d = 0; d < digits; ++d) v = (v << 4) | uint32_t(hex_digit(s[i * digits + d], where));
    out[i] = v;
  }
  return out;
}

// m, n or k of a case: a whole number in 1..65536 (the hwnumerics cases are 64 x 64 x 16384 at most).
int dimension(const nlohmann::json& c, const char* key, const std::string& where) {
  const nlohmann::json& v = c.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > kMaxDimension)
    throw Error(fmt::format("{}: {} = {} must be a whole number in 1..{}", where, key, v.dump(), kMaxDimension));
  return int(v.get<int64_t>());
}

}  // namespace

const char* to_string(MeasuredPath p) {
  switch (p) {
    case MeasuredPath::wgmma:
      return "wgmma";
    case MeasuredPath::cublaslt_fast_accum:
      return "cublaslt_fast_accum";
    case MeasuredPath::cublaslt_promote:
      return "cublaslt_promote";
  }
  return "?";
}

Measurement parse_measurement(std::string_view text, const std::string& file) {
  const nlohmann::json j = parse_json_document(text, file);
  Measurement m;
  try {
    if (!j.is_object()) throw Error(fmt::format("{}: expected a JSON object with \"provenance\" and \"cases\"", file));
    m.provenance = j.at("provenance").dump();
    const nlohmann::json& cases = j.at("cases");
    if (!cases.is_array()) throw Error(fmt::format("{}: \"cases\" must be a list of cases", file));
    for (const nlohmann::json& jc : cases) {
      if (!jc.is_object()) throw Error(fmt::format("{}: every case must be a JSON object", file));
      MeasuredCase c;
      c.name = jc.at("name").get<std::string>();
      c.description = jc.value("description", "");
      const std::string where = fmt::format("{}: case {}", file, c.name);
      const int rows = dimension(jc, "m", where), cols = dimension(jc, "n", where), k = dimension(jc, "k", where);
      for (const auto& [what, count] : {std::pair{"m x k", int64_t(rows) * k}, std::pair{"n x k", int64_t(cols) * k},
                                        std::pair{"m x n", int64_t(rows) * cols}}) {
        if (count > kMaxMatrixElements)
          throw Error(fmt::format("{}: {} = {} elements, more than the {} a measured matrix may have", where, what,
                                  count, kMaxMatrixElements));
      }
      c.init = FloatMatrix::Zero(rows, cols);
      if (jc.contains("seed")) {
        const nlohmann::json& seed = jc.at("seed");
        if (!seed.is_number_unsigned())
          throw Error(fmt::format("{}: seed = {} must be a whole number >= 0", where, seed.dump()));
        const std::string want = jc.at("inputs_fnv1a64").get<std::string>();
        // Checked before the (up to 2^25) inputs are drawn.
        if (want.size() != 16 || want.find_first_not_of("0123456789abcdef") != std::string::npos)
          throw Error(fmt::format("{}: inputs_fnv1a64 '{}' must be 16 lowercase hex digits", where, want));
        RandomPair p = random_matrices(random_distribution_by_name(jc.at("distribution").get<std::string>()), rows,
                                       cols, k, seed.get<uint64_t>());
        const std::string got = fmt::format("{:016x}", fnv1a64(p));
        if (want != got)
          throw Error(fmt::format("{}: regenerated inputs hash to {}, the data says {}", where, got, want));
        c.a = std::move(p.a);
        c.b = std::move(p.b);
      } else {
        const auto a = hex_words(jc.at("a").get<std::string>(), 2, size_t(rows) * k, fmt::format("{} a", where));
        const auto b = hex_words(jc.at("b").get<std::string>(), 2, size_t(cols) * k, fmt::format("{} b", where));
        const auto ci = hex_words(jc.at("c").get<std::string>(), 8, size_t(rows) * cols, fmt::format("{} c", where));
        c.a.resize(rows, k);
        c.b.resize(cols, k);
        for (size_t i = 0; i < a.size(); ++i) c.a.data()[i] = uint8_t(a[i]);
        for (size_t i = 0; i < b.size(); ++i) c.b.data()[i] = uint8_t(b[i]);
        for (size_t i = 0; i < ci.size(); ++i) c.init.data()[i] = f32_from_bits(ci[i]);
      }
      for (MeasuredPath p : kMeasuredPaths) {
        const std::string key = to_string(p);
        const std::string algo = key + "_algo";
        if (p != MeasuredPath::wgmma && jc.contains(algo) && !jc.at(algo).at("ok").get<bool>()) continue;
        c.outputs[size_t(p)] =
            hex_words(jc.at(key).get<std::string>(), 8, size_t(rows) * cols, fmt::format("{} {}", where, key));
      }
      m.cases.push_back(std::move(c));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: {}", file, e.what()));
  }
  return m;
}

Measurement load_measurement(const std::filesystem::path& file) {
  require_regular_input(file, file.string());  // a FIFO or /dev/zero was read for good
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  return parse_measurement(text.str(), file.string());
}

Mismatches compare(const MeasuredCase& c, MeasuredPath path, const GemmOptions& options) {
  Mismatches r;
  const std::vector<uint32_t>& want = c.outputs[size_t(path)];
  if (want.empty()) return r;
  GemmOptions o = options;
  if (path != MeasuredPath::cublaslt_promote) o.promote_every.reset();
  const FloatMatrix got = emulate_gemm(c.a, c.b, o, path == MeasuredPath::wgmma ? &c.init : nullptr);
  for (Eigen::Index i = 0; i < got.rows(); ++i) {
    for (Eigen::Index j = 0; j < got.cols(); ++j) {
      const uint32_t g = f32_bits(got(i, j)), w = want[size_t(i * got.cols() + j)];
      ++r.compared;
      if (g != w) {
        if (r.different == 0) r.first = fmt::format("row {} col {}: measured {:#010x}, emulated {:#010x}", i, j, w, g);
        ++r.different;
      }
    }
  }
  return r;
}

}  // namespace hwsim::numerics
