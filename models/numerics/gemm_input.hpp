#pragma once
// The input of `hwsim numerics gemm --in FILE`: {"a": [[...]], "b": [[...]]},
// A M x K and B N x K, every value exactly an E4M3 number. Parsed from text
// here, so the CLI and its fuzz target (tests/fuzz/fuzz_numerics.cpp) read it
// the same way.
#include <string>
#include <string_view>

#include "models/numerics/gemm.hpp"

namespace hwsim::numerics {

struct GemmInput {
  CodeMatrix a;  // M x K, E4M3 codes
  CodeMatrix b;  // N x K
};

// Contract: returns matrices with the same, non-zero K; throws hwsim::Error
// naming `file` (and the key, row and column) for text that is not JSON, a
// key given twice, nesting beyond 256, a missing or ragged matrix, or a value
// that is not exactly an E4M3 number.
GemmInput parse_gemm_input(std::string_view text, const std::string& file);

// Reads FILE and parses it (parse_gemm_input); "FILE: cannot open" otherwise.
GemmInput load_gemm_input(const std::string& file);

}  // namespace hwsim::numerics
