// Fuzz target: validation records, JSON Lines (validate/compare/records.cpp),
// as `hwsim predict --in` and `hwsim validate --data` read them, and the
// record's class and shape key that scoring derives from it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_input.hpp"
#include "validate/compare/records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto path = hwsim::fuzz::input_file("records.jsonl", text);
  hwsim::fuzz::expect_clean_error([&] {
    for (const hwsim::Record& r : hwsim::read_records(path)) {
      (void)hwsim::record_class(r);
      (void)hwsim::shape_key(r);
    }
  });
  return 0;
}
