#pragma once
// Small builders for the Vega-Lite specs the report emits (https://vega.github.io/vega-lite/docs/).
// They keep every quantitative axis titled with its unit and every chart's
// data inline under "datasets", so a spec is complete without the network.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/report_model.hpp"

namespace hwsim::reports::vl {

// A quantitative channel: `title` must carry the unit, e.g. "time per layer (µs)".
nlohmann::json quantitative(const std::string& field, const std::string& title, bool log_scale = false);
// A nominal channel with an explicit order (empty = data order).
nlohmann::json nominal(const std::string& field, const std::string& title, const std::vector<std::string>& order = {});
// Tooltip listing the table's columns with their units, numbers at full precision.
nlohmann::json tooltip(const Table& t);
// The top-level spec: schema, title, width, the tables as named datasets.
nlohmann::json base_spec(const std::string& title, const std::vector<Table>& data, int width = 640);
// A data reference to one of the datasets of base_spec().
nlohmann::json data_ref(const Table& t);

// Number formatting for prose: "1.23", "12.3%", "456 µs".
std::string fixed(double v, int decimals);

}  // namespace hwsim::reports::vl
