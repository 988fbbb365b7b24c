"""hwsim.gpu(): a resolved, immutable GPU description."""
from __future__ import annotations
import json


from . import _engine, _hwsim, _tables
from ._errors import InputError

PARAM_COLUMNS = ["key", "value", "unit", "source", "set_at"]


class Gpu:
    """A GPU description resolved and checked once: a preset or YAML file, the
    spec deltas of `proposals`, then the `set` overrides (as --set).

    Immutable: `with_set()` and `with_proposals()` return new descriptions.
    Attributes: name (str), display_name (str), inherits (tuple of presets),
    source (the preset name or file given), overrides (tuple of "key=value"),
    proposals (tuple of proposal names).
    """

    __slots__ = ("source", "overrides", "proposals", "name", "display_name", "inherits", "_rows")

    def __init__(self, source: str, overrides: tuple, proposals: tuple):
        resolved = json.loads(
            _engine.in_process(_hwsim.resolve_gpu, source, list(overrides), list(proposals)))
        values = {
            "source": source,
            "overrides": tuple(overrides),
            "proposals": tuple(proposals),
            "name": resolved["name"],
            "display_name": resolved["display_name"],
            "inherits": tuple(resolved["inherits"][1:]),
            "_rows": tuple(tuple(r[c] for c in PARAM_COLUMNS) for r in resolved["params"]),
        }
        for k, v in values.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        raise AttributeError(f"hwsim.Gpu is immutable; use with_set() or with_proposals() ({name})")

    @property
    def params(self) -> pd.DataFrame:
        """Every parameter, in schema order: key (with its unit in the name, e.g.
        hbm.bandwidth_GBps), value (number, bool, text or list), unit (text),
        source (where the number comes from), set_at (file:line, --set or a
        proposal's spec delta). A fresh DataFrame on every access."""
        df = _tables.pandas().DataFrame(list(self._rows), columns=PARAM_COLUMNS)
        for c in ("key", "unit", "source", "set_at"):
            df[c] = df[c].astype(object)
        return df

    def value(self, key: str):
        """One parameter's value, e.g. gpu.value("hbm.bandwidth_GBps") (in the key's unit)."""
        for row in self._rows:
            if row[0] == key:
                return row[1]
        raise InputError(f"key: unknown GPU parameter '{key}' (gpu.params lists them)")

    def with_set(self, set: dict) -> "Gpu":
        """This description with more overrides (applied after the existing ones)."""
        return Gpu(self.source, self.overrides + _overrides(set), self.proposals)

    def with_proposals(self, *names: str) -> "Gpu":
        """This description with more proposals' spec deltas (hwsim.proposals())."""
        return Gpu(self.source, self.overrides, self.proposals + _proposal_names(names))

    def cli_args(self) -> list:
        """--gpu and --set as the CLI takes them (proposals are not CLI options)."""
        args = ["--gpu", self.source]
        for s in self.overrides:
            args += ["--set", s]
        return args

    def __repr__(self):
        extra = "".join(f", {s}" for s in self.overrides)
        props = f", proposals={list(self.proposals)}" if self.proposals else ""
        return f"hwsim.gpu({self.source!r}{extra}{props}) -> {self.display_name}"

    def __eq__(self, other):
        return isinstance(other, Gpu) and self._rows == other._rows and self.name == other.name

    def __hash__(self):
        return hash((self.name, self._rows))


def _overrides(set) -> tuple:
    if set is None:
        return ()
    if not isinstance(set, dict):
        raise InputError(f"set: expected a dict of GPU keys to values, e.g. {{'hbm.bandwidth_GBps': 4800}}, "
                         f"got {type(set).__name__}")
    for k in set:
        if not isinstance(k, str):
            raise InputError(f"set: keys are GPU parameter names (str), got {k!r}")
    return tuple(_engine.set_text(k, v) for k, v in set.items())


def _proposal_names(names) -> tuple:
    if isinstance(names, str):
        names = (names,)
    for n in names:
        _engine.text("proposals", n)
    return tuple(names)


def gpu(name: str = "h800-sxm", set: dict = None, proposals=()) -> Gpu:
    """A resolved GPU description.

    name: a preset (hwsim.presets(): h100-sxm, h200-sxm, h800-sxm) or a .yaml
        description file.
    set: overrides {key: value}, each value in the unit its key names
        (hbm.bandwidth_GBps in GB/s, clock.sm_MHz in MHz, ...), applied last,
        as the CLI's --set key=value.
    proposals: names of hardware proposals (hwsim.proposals()) whose spec
        deltas apply before `set`; hwsim.run() also applies their kernel
        rewrites.

    Raises hwsim.InputError (a ValueError) naming the key and its rule, or
    hwsim.MissingFileError for a missing file.
    """
    _engine.text("name", name)
    return Gpu(name, _overrides(set), _proposal_names(proposals))


def presets() -> pd.DataFrame:
    """The GPU presets compiled in: name, display_name, inherits."""
    return _tables.pandas().DataFrame(json.loads(_hwsim.gpu_presets()), columns=["name", "display_name", "inherits"])


def proposals() -> pd.DataFrame:
    """The hardware proposals (hw_proposals/): name, title, level (layer or
    step: what their study measures), summary."""
    return _tables.pandas().DataFrame(json.loads(_hwsim.proposals()), columns=["name", "title", "level", "summary"])
