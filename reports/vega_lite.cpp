#include "reports/vega_lite.hpp"

#include <fmt/format.h>

namespace hwsim::reports::vl {
using nlohmann::json;

json quantitative(const std::string& field, const std::string& title, bool log_scale) {
  json e = {{"field", field}, {"type", "quantitative"}, {"title", title}};
  if (log_scale) e["scale"] = {{"type", "log"}};
  return e;
}

json nominal(const std::string& field, const std::string& title, const std::vector<std::string>& order) {
  json e = {{"field", field}, {"type", "nominal"}, {"title", title}};
  e["sort"] = order.empty() ? json(nullptr) : json(order);
  return e;
}

json tooltip(const Table& t) {
  json tips = json::array();
  for (const Column& c : t.columns) {
    const std::string title = c.unit.empty() ? c.title : c.title + " (" + c.unit + ")";
    json tip = {{"field", c.key}, {"title", title}, {"type", c.decimals < 0 ? "nominal" : "quantitative"}};
    // Exact numbers in tooltips: up to 6 significant digits, no SI rounding.
    if (c.decimals >= 0) tip["format"] = ",.6~g";
    tips.push_back(tip);
  }
  return tips;
}

json base_spec(const std::string& title, const std::vector<Table>& data, int width) {
  json datasets = json::object();
  for (const Table& t : data) datasets[t.id] = t.rows;
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
          {"title", {{"text", title}, {"anchor", "start"}}},
          {"width", width},
          {"datasets", datasets}};
}

json data_ref(const Table& t) { return {{"name", t.id}}; }

std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

}  // namespace hwsim::reports::vl
