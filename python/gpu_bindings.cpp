// GPU descriptions, presets and proposals for hwsim.gpu() and friends. These
// load YAML and check it, nothing more, so they run in the interpreter's own
// process (no SystemC) and answer at once.
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>

#include "hw_proposals/proposal.hpp"
#include "models/spec/hardware_spec.hpp"
#include "models/spec/units.hpp"
#include "python/bindings.hpp"
#include "python/gpu_request.hpp"
#include "sim/config/gpu_loader.hpp"

namespace py = pybind11;

namespace hwsim::python {
namespace {

// Every key in schema order (as `hwsim gpus show` prints them), with the
// value, unit, source and where it was set.
std::string resolve_gpu(const std::string& name, const std::vector<std::string>& overrides,
                        const std::vector<std::string>& proposal_names) {
  const HardwareSpec spec = load_gpu_request({name, overrides, proposal_names});
  nlohmann::json rows = nlohmann::json::array();
  for (const ParamDef& d : gpu_param_schema()) {
    const Param& p = spec.params.at(std::string(d.key));
    const auto unit = unit_of_key(d.key);
    rows.push_back({{"key", d.key},
                    {"value", to_json(p.value)},
                    {"unit", unit ? std::string(unit->display) : std::string()},
                    {"source", p.source},
                    {"set_at", p.origin}});
  }
  const nlohmann::json out = {
      {"name", spec.name}, {"display_name", spec.display_name}, {"inherits", spec.inherits_chain}, {"params", rows}};
  return out.dump();
}

std::string presets() {
  nlohmann::json rows = nlohmann::json::array();
  for (const PresetInfo& p : list_gpu_presets())
    rows.push_back({{"name", p.name}, {"display_name", p.display_name}, {"inherits", p.inherits}});
  return rows.dump();
}

std::string proposal_list() {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : proposals::all_proposals()) {
    rows.push_back({{"name", p->name()},
                    {"title", p->title()},
                    {"level", proposals::to_string(p->level())},
                    {"summary", p->summary()}});
  }
  return rows.dump();
}

}  // namespace

void bind_gpus(py::module_& m) {
  m.def("resolve_gpu", &resolve_gpu, py::arg("name"), py::arg("overrides"), py::arg("proposals"),
        "JSON: the resolved description, every key in schema order.");
  m.def("gpu_presets", &presets, "JSON: the GPU presets compiled in.");
  m.def("proposals", &proposal_list, "JSON: the hardware proposals, in study order.");
}

}  // namespace hwsim::python
