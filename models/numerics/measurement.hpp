#pragma once
// Measured FP8 GEMM outputs of a real GPU (validate/data/<gpu>/numerics/*.json,
// written by validate/kernels/numerics/hwnumerics) and their comparison, bit
// for bit, with the emulator.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/numerics/gemm.hpp"

namespace hwsim::numerics {

// The three measured paths: a chained wgmma (from the stored initial
// accumulator), cuBLASLt with fast accumulation, cuBLASLt without it.
enum class MeasuredPath { wgmma, cublaslt_fast_accum, cublaslt_promote };
inline constexpr std::array<MeasuredPath, 3> kMeasuredPaths = {MeasuredPath::wgmma, MeasuredPath::cublaslt_fast_accum,
                                                               MeasuredPath::cublaslt_promote};
const char* to_string(MeasuredPath p);

struct MeasuredCase {
  std::string name;
  std::string description;
  CodeMatrix a, b;
  FloatMatrix init;  // wgmma's initial accumulator (zeros for random cases)
  // Per path: FP32 bit patterns, row-major M x N; empty when that path did not run.
  std::array<std::vector<uint32_t>, 3> outputs;
};

struct Measurement {
  std::string provenance;  // the provenance object as one line of JSON
  std::vector<MeasuredCase> cases;
};

// Parses one measurement file's text; `file` names it in errors. Random cases
// are regenerated from their seed and checked against the stored FNV-1a hash.
// Contract: throws hwsim::Error naming the file (and the case) for text that
// is not JSON, a key given twice, nesting beyond 256, a missing or mistyped
// field, m, n or k outside 1..65536, a matrix (m x k, n x k, m x n) of more
// than 2^24 elements, or hex data of the wrong length.
Measurement parse_measurement(std::string_view text, const std::string& file);

// Reads one file (parse_measurement).
Measurement load_measurement(const std::filesystem::path& file);

struct Mismatches {
  long compared = 0;
  long different = 0;
  std::string first;  // "row i col j: measured 0x.. emulated 0x.."
};

// Compares one case and path with the emulator. For cublaslt_promote the
// options' promote_every is used; the other paths ignore it (no promotion).
Mismatches compare(const MeasuredCase& c, MeasuredPath path, const GemmOptions& options);

}  // namespace hwsim::numerics
