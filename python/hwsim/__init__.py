"""hwsim from Python: run kernels, layers, steps, studies, sweeps and
validation of the cycle-approximate H800-class GPU simulator from a notebook,
with results as pandas DataFrames (docs/python.md).

    import hwsim
    h800 = hwsim.gpu("h800-sxm")
    r = hwsim.run(h800, "gemm", m=4096, n=7168, k=2048, a_dtype="fp8_e4m3",
                  b_dtype="fp8_e4m3", out_dtype="bf16", scaling="block_1x128_128x128")
    r.time_us

Every simulating call runs in a child process of its own (a crash or an
interrupt stays out of the interpreter), with the interpreter's lock
released: calls may run from several threads at once. Errors are the CLI's
messages, raised as hwsim.Error subclasses that are also ValueError
(InputError), FileNotFoundError (MissingFileError) or RuntimeError
(SimulationError).
"""
from . import _hwsim, numerics
from ._errors import Error, InputError, MissingFileError, SimulationError
from ._gpu import Gpu, gpu, presets, proposals
from ._run import Result, run
from ._studies import study, sweep, validate
from ._workloads import layer, step

__version__ = _hwsim.version
__all__ = ["Error", "InputError", "MissingFileError", "SimulationError", "Gpu", "Result", "gpu", "presets",
           "proposals", "run", "layer", "step", "study", "sweep", "validate", "numerics"]
