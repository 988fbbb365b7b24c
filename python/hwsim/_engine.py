"""The calls into the C++ core (_hwsim): errors become hwsim.Error subclasses,
Python values become the CLI's argument text, and each simulating call runs in
a child process (python/child_process.hpp: the interpreter's process never
simulates). The interpreter's lock is released
while a child runs, so several threads may simulate at once.
"""
import json
import numbers
import os

from . import _hwsim
from ._errors import InputError, from_status, input_error
from ._progress import reporter


def in_process(fn, *args):
    """Calls a core function that runs in this process (no simulation)."""
    try:
        return fn(*args)
    except _hwsim.EngineError as e:
        raise input_error(str(e)) from None


def _answer(answer, progress):
    status, result, error, output = answer
    if progress is not None:
        progress.close()
    if status != "ok":
        raise from_status(status, error)
    return result, output


def simulate_kernel(request: dict, progress: bool, label: str):
    """One kernel launch (python/simulation_bindings.cpp); the KernelResult
    JSON text, or {"removed": why} when a proposal removes the kernel."""
    p = reporter(progress, label)
    return _answer(_hwsim.simulate_kernel(json.dumps(request), p), p)[0]


def run_command(name: str, args: list, progress: bool, label: str):
    """One CLI command with its arguments, as `hwsim NAME ARGS...` runs it;
    (exit status, what it printed on stdout)."""
    p = reporter(progress, label)
    status, output = _answer(_hwsim.run_command(name, [str(a) for a in args], executable(), p), p)
    return int(status), output


def executable() -> str:
    """The hwsim CLI shipped beside the extension (bin/hwsim), which a sweep's
    points run as; "" when absent (the sweep then says it cannot start them)."""
    exe = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "hwsim")
    return exe if os.access(exe, os.X_OK) else ""


def whole(name: str, value, low: int = None) -> int:
    """A whole-number parameter; bool is refused (True is not a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name}: expected a whole number, got {value!r}")
    if low is not None and value < low:
        raise InputError(f"{name}: {value} must be >= {low}")
    return int(value)


def text(name: str, value) -> str:
    if not isinstance(value, str) or not value:
        raise InputError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def cache_args(cache) -> list:
    """The CLI's result-cache options: None (the default folder, as the CLI:
    $HWSIM_CACHE_DIR, else $XDG_CACHE_HOME/hwsim, else ~/.cache/hwsim), False
    (no cache) or a folder."""
    if cache is None:
        return []
    if cache is False:
        return ["--no-cache"]
    if isinstance(cache, (str, bytes)) or hasattr(cache, "__fspath__"):
        return ["--cache", str(cache)]
    raise InputError(f"cache: expected None, False or a folder path, got {cache!r}")


def set_text(key: str, value) -> str:
    """One --set override, key=value, with Python's True/False as YAML's."""
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, (list, tuple)):
        return f"{key}={json.dumps(list(value))}"
    return f"{key}={value}"
