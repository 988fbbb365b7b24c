// hwsim.numerics.gemm(): the FP8 (E4M3) tensor-core GEMM emulation of
// models/numerics/ (docs/numerics.md), on NumPy arrays instead of the JSON
// files of `hwsim numerics gemm`. Plain arithmetic, no SystemC: it runs in
// the interpreter's process with the interpreter's lock released.
#include <fmt/format.h>
#include <pybind11/numpy.h>

#include "models/numerics/formats.hpp"
#include "models/numerics/gemm.hpp"
#include "models/spec/error.hpp"
#include "python/bindings.hpp"

namespace py = pybind11;

namespace hwsim::python {
namespace {

using namespace hwsim::numerics;
using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

// Each element must be exactly an E4M3 value (as the CLI's input file).
CodeMatrix e4m3_codes(const Array& x, const char* name) {
  if (x.ndim() != 2 || x.shape(0) == 0 || x.shape(1) == 0)
    throw Error(fmt::format("{}: expected a non-empty 2-D array, got {} dimension(s)", name, x.ndim()));
  CodeMatrix m(Eigen::Index(x.shape(0)), Eigen::Index(x.shape(1)));
  const auto v = x.unchecked<2>();
  for (py::ssize_t i = 0; i < x.shape(0); ++i) {
    for (py::ssize_t j = 0; j < x.shape(1); ++j) {
      const uint32_t code = encode(kE4M3, v(i, j), Overflow::no_saturate);
      if (is_nan_code(kE4M3, code) || decode(kE4M3, code) != v(i, j))
        throw Error(fmt::format("{}[{}, {}]: {} is not exactly representable in E4M3", name, i, j, v(i, j)));
      m(Eigen::Index(i), Eigen::Index(j)) = uint8_t(code);
    }
  }
  return m;
}

py::array_t<float> gemm(const Array& a, const Array& b, const std::string& accumulator,
                        const std::string& promote_every) {
  GemmOptions o;
  o.accumulator = accumulator_preset(accumulator);
  o.promote_every = parse_promote_every(promote_every, o.accumulator.group_size);
  const CodeMatrix am = e4m3_codes(a, "a"), bm = e4m3_codes(b, "b");
  if (am.cols() != bm.cols())
    throw Error(
        fmt::format("a has K = {} columns but b has {} (C = A B^T: both are given K-major)", am.cols(), bm.cols()));
  FloatMatrix c;
  {
    py::gil_scoped_release release;
    c = emulate_gemm(am, bm, o);
  }
  py::array_t<float> out({c.rows(), c.cols()});
  std::copy(c.data(), c.data() + c.size(), out.mutable_data());
  return out;
}

}  // namespace

void bind_numerics(py::module_& m) {
  m.def("numerics_gemm", &gemm, py::arg("a"), py::arg("b"), py::arg("accumulator"), py::arg("promote_every"),
        "C = A B^T (float32) of E4M3-exact a (M x K) and b (N x K) on the tensor-core accumulation model.");
}

}  // namespace hwsim::python
