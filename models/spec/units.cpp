#include "models/spec/units.hpp"

#include <array>
#include <cctype>
#include <charconv>

#include "models/spec/error.hpp"

namespace hwsim {
namespace {

// Key suffixes. Decimal prefixes for rates and sizes as vendors use them
// (1 GB/s = 1e9 B/s); binary ones spelled KiB/MiB/GiB.
constexpr std::array kKeyUnits = {
    UnitInfo{"MHz", Dimension::kFrequency, 1e6, "MHz"},
    UnitInfo{"GHz", Dimension::kFrequency, 1e9, "GHz"},
    UnitInfo{"GBps", Dimension::kBandwidth, 1e9, "GB/s"},
    UnitInfo{"Gbps", Dimension::kBandwidth, 1e9 / 8, "Gb/s"},
    UnitInfo{"bytes", Dimension::kBytes, 1, "B"},
    UnitInfo{"KiB", Dimension::kBytes, 1024.0, "KiB"},
    UnitInfo{"MiB", Dimension::kBytes, 1024.0 * 1024, "MiB"},
    UnitInfo{"GB", Dimension::kBytes, 1e9, "GB"},
    UnitInfo{"ns", Dimension::kTime, 1e-9, "ns"},
    UnitInfo{"us", Dimension::kTime, 1e-6, "us"},
    UnitInfo{"cycles", Dimension::kCycles, 1, "cycles"},
    UnitInfo{"W", Dimension::kPower, 1, "W"},
    UnitInfo{"per_clk", Dimension::kRate, 1, "per clock"},
    UnitInfo{"bits", Dimension::kBits, 1, "bits"},
    UnitInfo{"fraction", Dimension::kFraction, 1, ""},
    UnitInfo{"count", Dimension::kCount, 1, ""},
};

// Unit texts accepted inside values ("3.35 TB/s").
struct TextUnit {
  std::string_view text;
  Dimension dimension;
  double to_si;
};
constexpr std::array kTextUnits = {
    TextUnit{"Hz", Dimension::kFrequency, 1},
    TextUnit{"kHz", Dimension::kFrequency, 1e3},
    TextUnit{"MHz", Dimension::kFrequency, 1e6},
    TextUnit{"GHz", Dimension::kFrequency, 1e9},
    TextUnit{"B/s", Dimension::kBandwidth, 1},
    TextUnit{"KB/s", Dimension::kBandwidth, 1e3},
    TextUnit{"MB/s", Dimension::kBandwidth, 1e6},
    TextUnit{"GB/s", Dimension::kBandwidth, 1e9},
    TextUnit{"TB/s", Dimension::kBandwidth, 1e12},
    TextUnit{"Gb/s", Dimension::kBandwidth, 1e9 / 8},
    TextUnit{"Gbps", Dimension::kBandwidth, 1e9 / 8},
    TextUnit{"GBps", Dimension::kBandwidth, 1e9},
    TextUnit{"B", Dimension::kBytes, 1},
    TextUnit{"KB", Dimension::kBytes, 1e3},
    TextUnit{"MB", Dimension::kBytes, 1e6},
    TextUnit{"GB", Dimension::kBytes, 1e9},
    TextUnit{"KiB", Dimension::kBytes, 1024.0},
    TextUnit{"MiB", Dimension::kBytes, 1048576.0},
    TextUnit{"GiB", Dimension::kBytes, 1073741824.0},
    TextUnit{"ps", Dimension::kTime, 1e-12},
    TextUnit{"ns", Dimension::kTime, 1e-9},
    TextUnit{"us", Dimension::kTime, 1e-6},
    TextUnit{"ms", Dimension::kTime, 1e-3},
    TextUnit{"s", Dimension::kTime, 1},
    TextUnit{"cycles", Dimension::kCycles, 1},
    TextUnit{"W", Dimension::kPower, 1},
    // Rates per clock and bit counts: the units the proposals' sensitivity
    // registrations write (hw_proposals/sensitivity.hpp), which their values
    // pass through as a sweep file's do.
    TextUnit{"B/clk", Dimension::kRate, 1},
    TextUnit{"B/clk/SM", Dimension::kRate, 1},
    TextUnit{"bits", Dimension::kBits, 1},
};

}  // namespace

std::optional<UnitInfo> unit_of_key(std::string_view key) {
  // Longest matching suffix after an underscore ("flop_per_clk" ends in "per_clk").
  for (const auto& u : kKeyUnits) {
    if (key.size() > u.suffix.size() + 1 && key.ends_with(u.suffix) && key[key.size() - u.suffix.size() - 1] == '_') {
      return u;
    }
  }
  return std::nullopt;
}

std::string_view dimension_name(Dimension d) {
  switch (d) {
    case Dimension::kCount:
      return "count";
    case Dimension::kFraction:
      return "fraction";
    case Dimension::kFrequency:
      return "frequency";
    case Dimension::kBandwidth:
      return "bandwidth";
    case Dimension::kBytes:
      return "size";
    case Dimension::kTime:
      return "time";
    case Dimension::kCycles:
      return "cycles";
    case Dimension::kPower:
      return "power";
    case Dimension::kRate:
      return "rate";
    case Dimension::kBits:
      return "bits";
    case Dimension::kText:
      return "text";
    case Dimension::kFlag:
      return "flag";
  }
  return "?";
}

double parse_quantity(std::string_view text, const UnitInfo& target, const std::string& where) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  std::string_view s = trim(text);
  double number = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec != std::errc{} || ptr == s.data()) {
    throw Error(where + ": expected a quantity such as '3.35 TB/s', got '" + std::string(text) + "'");
  }
  std::string_view unit = trim(std::string_view(ptr, static_cast<size_t>(s.data() + s.size() - ptr)));
  if (unit.empty()) {
    throw Error(where + ": '" + std::string(text) + "' has no unit; expected a " +
                std::string(dimension_name(target.dimension)) + " such as '" +
                (target.display.empty() ? std::string("1") : "1 " + std::string(target.display)) + "'");
  }
  for (const auto& u : kTextUnits) {
    if (u.text == unit) {
      if (u.dimension != target.dimension) {
        throw Error(where + ": unit '" + std::string(unit) + "' is a " + std::string(dimension_name(u.dimension)) +
                    ", expected a " + std::string(dimension_name(target.dimension)));
      }
      return number * u.to_si / target.to_base;
    }
  }
  throw Error(where + ": unknown unit '" + std::string(unit) + "'");
}

}  // namespace hwsim
