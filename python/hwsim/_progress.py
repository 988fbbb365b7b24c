"""The progress line long calls print on stderr with progress=True.

The engine reports no fraction done for a single simulation, so the line shows
the elapsed time and the last line the simulation process printed; a sweep
prints "N/M run", which becomes a bar.
"""
import re
import sys

_COUNT = re.compile(r"(\d+)/(\d+) run")
_WIDTH = 24


class Progress:
    """Called by the core about twice a second as progress(elapsed_s, line)."""

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.last_elapsed = 0.0

    def bar(self, line: str) -> str:
        m = _COUNT.search(line)
        if not m or int(m.group(2)) == 0:
            return ""
        done, total = int(m.group(1)), int(m.group(2))
        filled = _WIDTH * done // total
        return f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {done}/{total} "

    def __call__(self, elapsed_s: float, line: str) -> None:
        self.last_elapsed = elapsed_s
        text = f"\r[hwsim {self.label}] {self.bar(line)}{elapsed_s:6.1f} s"
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write(f"\r[hwsim {self.label}] done after {self.last_elapsed:.1f} s\n")
        self.stream.flush()


def reporter(progress: bool, label: str):
    """A Progress for progress=True, else None (the core still polls Ctrl-C)."""
    if not isinstance(progress, bool):
        from ._errors import InputError
        raise InputError(f"progress: expected True or False, got {progress!r}")
    return Progress(label) if progress else None
