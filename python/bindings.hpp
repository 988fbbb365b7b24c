#pragma once
// The pieces of the _hwsim extension module, one file each (docs/python.md):
// the GPU descriptions and proposals (in the interpreter's process: no
// SystemC), simulations and CLI commands (each in a child process), and the
// FP8 GEMM numerics (in process: plain arithmetic).
#include <pybind11/pybind11.h>

namespace hwsim::python {

void bind_gpus(pybind11::module_& m);
void bind_simulations(pybind11::module_& m);
void bind_numerics(pybind11::module_& m);

}  // namespace hwsim::python
