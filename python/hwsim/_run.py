"""hwsim.run(): one kernel launch, the KernelResult of `hwsim run`."""
import copy
import json

from . import _engine
from ._errors import InputError
from ._gpu import Gpu


class Result:
    """One simulated launch. Attributes:

    time_us: launch time in microseconds (kernel + launch overhead, at the
        clock the power cap allows), as `hwsim run` prints it.
    busy: {unit: fraction of the launch time busy, 0..1}.
    bytes: {level: bytes moved} (hbm_read, hbm_write, l2_read, l2_write, smem).
    removed: None, or why the GPU's proposals remove this kernel (then
        time_us is 0 and busy and bytes are empty).
    json: the KernelResult JSON text, byte for byte what `hwsim run --out`
        writes for the same inputs.
    """

    __slots__ = ("_request", "_data", "json", "removed")

    def __init__(self, request: dict, text: str):
        self._request = request
        self.json = text
        self._data = json.loads(text)
        self.removed = self._data.get("removed")

    @property
    def time_us(self) -> float:
        return 0.0 if self.removed else self._data["time_us"]

    @property
    def busy(self) -> dict:
        return {} if self.removed else dict(self._data["busy"])

    @property
    def bytes(self) -> dict:
        return {} if self.removed else dict(self._data["bytes"])

    def to_dict(self) -> dict:
        """The whole KernelResult (docs/engine.md): time, cycles, FLOPs, bytes
        per level, busy fractions, stall reasons, launch details, resolved
        config. A deep copy."""
        return copy.deepcopy(self._data)

    def trace(self, path) -> str:
        """Writes the launch's Chrome-trace timeline (open it in Perfetto) to
        `path` by simulating it again with tracing on (deterministic: the same
        launch); returns the path."""
        request = dict(self._request, trace=str(path))
        _engine.simulate_kernel(request, False, "trace")
        return str(path)

    def __repr__(self):
        if self.removed:
            return f"<hwsim.Result {self._request['kernel']}: removed ({self.removed})>"
        return f"<hwsim.Result {self._data['kernel']} on {self._data['gpu']}: {self.time_us:.3f} us>"


def run(gpu: Gpu, kernel: str, *, progress: bool = False, cache=None, chunk_bytes: int = 2048,
        trace_max_events: int = 200000, **params) -> Result:
    """Simulates one launch of `kernel` on `gpu`, starting from a flushed L2,
    as `hwsim run --kernel KERNEL` does.

    gpu: a description from hwsim.gpu(); its proposals' kernel rewrites apply
        to this kernel as they would inside a layer.
    kernel: the kind (hwsim kernels list): gemm, memcpy, read, write,
        elementwise, quant_1x128, transpose, swiglu, rmsnorm, attention, ...
    **params: the kernel's params in their own units (`hwsim kernels show
        KIND`): m, n, k (elements), bytes (bytes), a_dtype, b_dtype,
        out_dtype, scaling, sms (SM count), tile_m, tile_n (elements),
        regime, fast_accum (bool), ...
    progress: print elapsed time on stderr while it runs.
    cache: result cache: None (the CLI's default folder), False (none) or a
        folder.
    chunk_bytes: memory-system transfer and L2 tag granule, bytes.
    trace_max_events: cap on spans kept by Result.trace().

    Returns a Result (time_us in microseconds). Raises hwsim.InputError with
    the CLI's message for an unknown kernel or a bad param.
    """
    if not isinstance(gpu, Gpu):
        raise InputError(f"gpu: expected a description from hwsim.gpu(), got {type(gpu).__name__}")
    _engine.text("kernel", kernel)
    request = {
        "gpu": gpu.source,
        "overrides": list(gpu.overrides),
        "proposals": list(gpu.proposals),
        "kernel": kernel,
        "params": _params(params),
        "chunk_bytes": _engine.whole("chunk_bytes", chunk_bytes, 1),
        "trace": "",
        "trace_max_events": _engine.whole("trace_max_events", trace_max_events, 1),
        "cache": _engine.cache_args(cache),
    }
    return Result(request, _engine.simulate_kernel(request, progress, f"run {kernel}"))


def _params(params: dict) -> dict:
    """Kernel params as JSON values (numbers, text, bools, lists)."""
    out = {}
    for name, v in params.items():
        v = v.item() if hasattr(v, "item") else v  # NumPy scalars
        try:
            json.dumps(v)
        except TypeError:
            raise InputError(f"{name}: a kernel param must be a number, text, bool or list, got {type(v).__name__}")
        out[name] = v
    return out
