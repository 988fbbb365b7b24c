#include "models/numerics/measurement.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "models/numerics/formats.hpp"
#include "models/numerics/random_matrices.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {
namespace {

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

Measurement load_measurement(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": not valid JSON (" + e.what() + ")");
  }
  Measurement m;
  try {
    m.provenance = j.at("provenance").dump();
    for (const nlohmann::json& jc : j.at("cases")) {
      MeasuredCase c;
      c.name = jc.at("name").get<std::string>();
      c.description = jc.value("description", "");
      const std::string where = file.string() + ": case " + c.name;
      const int rows = jc.at("m").get<int>(), cols = jc.at("n").get<int>(), k = jc.at("k").get<int>();
      c.init = FloatMatrix::Zero(rows, cols);
      if (jc.contains("seed")) {
        RandomPair p = random_matrices(random_distribution_by_name(jc.at("distribution").get<std::string>()), rows,
                                       cols, k, jc.at("seed").get<uint64_t>());
        const std::string want = jc.at("inputs_fnv1a64").get<std::string>();
        const std::string got = fmt::format("{:016x}", fnv1a64(p));
        if (want != got) throw Error(where + ": regenerated inputs hash to " + got + ", the data says " + want);
        c.a = std::move(p.a);
        c.b = std::move(p.b);
      } else {
        const auto a = hex_words(jc.at("a").get<std::string>(), 2, size_t(rows) * k, where + " a");
        const auto b = hex_words(jc.at("b").get<std::string>(), 2, size_t(cols) * k, where + " b");
        const auto ci = hex_words(jc.at("c").get<std::string>(), 8, size_t(rows) * cols, where + " c");
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
        c.outputs[size_t(p)] = hex_words(jc.at(key).get<std::string>(), 8, size_t(rows) * cols, where + " " + key);
      }
      m.cases.push_back(std::move(c));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + ": " + e.what());
  }
  return m;
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
