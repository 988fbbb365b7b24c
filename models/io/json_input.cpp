#include "models/io/json_input.hpp"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "models/spec/error.hpp"

namespace hwsim {

nlohmann::json parse_json_unique(std::string_view text, const std::string& where) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<std::set<std::string>> open_objects;  // the keys seen in each object being read
  const auto track = [&](int /*depth*/, Event event, nlohmann::json& parsed) {
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end && !open_objects.empty()) {
      open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second) {
        throw Error(fmt::format("{}: duplicate key '{}' in one JSON object", where, key));
      }
    }
    return true;
  };
  return nlohmann::json::parse(text.begin(), text.end(), track);
}

}  // namespace hwsim
