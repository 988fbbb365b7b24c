"""The exceptions hwsim raises: one base class, hwsim.Error, and a subclass per
kind of failure that is also the built-in exception a Python user expects.

Messages are the CLI's own text (the C++ core raises them), so a message seen in
a notebook can be looked up in docs/reliability.md like one from `hwsim`.
"""


class Error(Exception):
    """Base class of every error hwsim raises."""


class InputError(Error, ValueError):
    """A bad parameter, key, kernel or description: the message names it and
    says what was expected (the CLI's text)."""


class MissingFileError(Error, FileNotFoundError):
    """A file or folder hwsim was asked to read does not exist or cannot be read."""


class SimulationError(Error, RuntimeError):
    """The simulation process crashed or hit an internal error (a bug in hwsim,
    never bad input)."""


# How the core's messages say that something to read is missing
# (sim/config/gpu_loader.cpp, validate/compare/records.cpp, sweep_spec.cpp).
_MISSING = ("no such file", "does not exist", "cannot read", "cannot open")


def input_error(message: str) -> Error:
    """The exception for a bad-input message: MissingFileError when it says a
    file is missing or unreadable, else InputError."""
    if any(marker in message for marker in _MISSING):
        return MissingFileError(message)
    return InputError(message)


def from_status(status: str, message: str) -> Error:
    """The exception for a child process's outcome (python/child_process.hpp)."""
    if status == "input_error":
        return input_error(message)
    return SimulationError(message)
