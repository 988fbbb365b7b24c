#pragma once
// Units of hardware parameters. A parameter key carries its unit as a suffix
// (`hbm.peak_bandwidth_GBps`), or a value may carry it as text ("3.35 TB/s")
// under the key without the suffix. This file maps suffixes and unit texts
// to a dimension and a factor to the key's canonical unit.
#include <optional>
#include <string>
#include <string_view>

namespace hwsim {

enum class Dimension {
  kCount,
  kFraction,
  kFrequency,
  kBandwidth,
  kBytes,
  kTime,
  kCycles,
  kPower,
  kRate,
  kBits,
  kText,
  kFlag
};

struct UnitInfo {
  std::string_view suffix;  // as written at the end of a key, e.g. "GBps"
  Dimension dimension;
  double to_base;            // value in this unit times to_base = value in the base unit
  std::string_view display;  // human text, e.g. "GB/s"
};

// The unit named by a key's suffix (the text after its last '_'), if any.
std::optional<UnitInfo> unit_of_key(std::string_view key);

// Parses "3.35 TB/s", "50 MB", "1980 MHz", "2.8 us" into a number in `target`'s
// unit. Throws hwsim::Error naming `where` when the text is no quantity or its
// dimension differs from the target's.
double parse_quantity(std::string_view text, const UnitInfo& target, const std::string& where);

std::string_view dimension_name(Dimension d);

}  // namespace hwsim
