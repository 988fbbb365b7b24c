// _hwsim: the CPython extension behind the `hwsim` package (python/hwsim/).
// The pure-Python layer turns its JSON answers into DataFrames and its error
// messages into hwsim.Error subclasses; nothing here formats results.
#include <pybind11/pybind11.h>

#include "apps/hwsim/version.hpp"
#include "models/spec/error.hpp"
#include "python/bindings.hpp"

PYBIND11_MODULE(_hwsim, m) {
  m.doc() = "hwsim's C++ core; use the `hwsim` package, not this module.";
  m.attr("version") = hwsim::kVersion;
  m.attr("git") = hwsim::kGitHash;
  // The one exception the core raises: a hwsim::Error's message (the CLI's
  // text); hwsim/_errors.py sorts it into ValueError / FileNotFoundError kinds.
  pybind11::register_exception<hwsim::Error>(m, "EngineError");
  hwsim::python::bind_gpus(m);
  hwsim::python::bind_simulations(m);
  hwsim::python::bind_numerics(m);
}
