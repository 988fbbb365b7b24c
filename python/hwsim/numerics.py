"""hwsim.numerics: the FP8 tensor-core accumulation model (docs/numerics.md)
on NumPy arrays."""
from __future__ import annotations

from . import _engine, _hwsim, _tables
from ._errors import InputError


def gemm(a, b, *, accumulator: str = "hopper", promote_every=None) -> np.ndarray:
    """C = A B^T as Hopper's FP8 (E4M3) tensor cores compute it, as `hwsim
    numerics gemm` (unit scales).

    a: M x K array, every element exactly an E4M3 value (any real dtype).
    b: N x K array, likewise (K-major, as the tensor core reads B).
    accumulator: "hopper" (measured), "fp32_exact" or "bits=N" (Hopper's
        accumulator with N fraction bits).
    promote_every: None (fast accumulation: the whole K in the tensor core) or
        N, a multiple of the accumulator's group size (128 for cuBLASLt
        without fast accumulation and DeepGEMM): add the partial sum into
        FP32 every N elements of K.

    Returns C as an M x N float32 array. Raises hwsim.InputError naming the
    first element that is not an E4M3 value, or a bad option.
    """
    a = _matrix("a", a)
    b = _matrix("b", b)
    if promote_every is None:
        promote = "none"
    else:
        promote = str(_engine.whole("promote_every", promote_every, 1))
    _engine.text("accumulator", accumulator)
    return _engine.in_process(_hwsim.numerics_gemm, a, b, accumulator, promote)


def _matrix(name: str, x) -> np.ndarray:
    np = _tables.numpy()
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        raise InputError(f"{name}: expected a 2-D array of real numbers, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)
