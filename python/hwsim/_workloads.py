"""hwsim.layer() and hwsim.step(): the DeepSeek-V3 workloads, as `hwsim run
--workload deepseek-v3-layer` and `hwsim step` compute them."""
import json
import os
import tempfile

from . import _engine
from ._errors import InputError
from ._gpu import Gpu
from ._tables import frame, read_json

LAYER_COLUMNS = [("name", "object"), ("phase", "object"), ("kind", "object"), ("count", "int64"),
                 ("time_us_each", "float64"), ("time_us_total", "float64"), ("sm_clock_MHz", "float64"),
                 ("flops_each", "float64"), ("hbm_bytes_each", "float64"), ("params", "object"),
                 ("error", "object")]

STEP_COLUMNS = [("gpu", "object"), ("comm_model", "object"), ("model", "object"), ("step_s", "float64"),
                ("1F_s", "float64"), ("1B_s", "float64"), ("1W_s", "float64"), ("1F1B_s", "float64"),
                ("bubble_s", "float64"), ("optimizer_s", "float64"), ("tokens_per_gpu_per_s", "float64"),
                ("tflops_per_gpu", "float64"), ("mfu", "float64"), ("gpu_hours_per_trillion_tokens", "float64"),
                ("dispatch_us", "float64"), ("combine_us", "float64"), ("micro_batches", "int64")]


def _plain_gpu(gpu, what: str) -> Gpu:
    if not isinstance(gpu, Gpu):
        raise InputError(f"gpu: expected a description from hwsim.gpu(), got {type(gpu).__name__}")
    if gpu.proposals:
        raise InputError(f"gpu: {what} takes a GPU without proposals; hwsim.study() compares proposals "
                         f"({', '.join(gpu.proposals)}) with the baseline")
    return gpu


def _pairs(name: str, values) -> list:
    if values is None:
        return []
    if not isinstance(values, dict):
        raise InputError(f"{name}: expected a dict of KEY: VALUE, got {type(values).__name__}")
    return [_engine.set_text(k, v) for k, v in values.items()]


def layer(gpu: Gpu, tokens: int = 4096, *, routing: str = "balanced", seed: int = 1, sms: int = None,
          jobs: int = 2, cache=None, progress: bool = False):
    """One DeepSeek-V3 MoE layer's FP8 training kernels (forward, backward for
    input, backward for weights) on `gpu`, each distinct kernel simulated once.

    tokens: tokens per GPU of one micro-batch (1..1048576).
    routing: expert loads, "balanced" or "skewed" (seeded by `seed`).
    sms: run every kernel on the first `sms` SMs (e.g. 112, what DeepEP
        leaves); None: all.
    jobs: kernels simulated at once (processes).

    Returns a DataFrame, one row per kernel of the layer: name, phase, kind,
    count (launches), time_us_each and time_us_total (microseconds),
    sm_clock_MHz, flops_each (FLOP), hbm_bytes_each (bytes), params (JSON
    text), error (why a kernel is not modelled, else None). df.attrs holds
    total_us, phases_us ({phase: microseconds}) and json (the CLI's --out).
    """
    gpu = _plain_gpu(gpu, "hwsim.layer()")
    args = ["--workload", "deepseek-v3-layer", *gpu.cli_args(),
            "--tokens", _engine.whole("tokens", tokens), "--routing", _engine.text("routing", routing),
            "--seed", _engine.whole("seed", seed), "--jobs", _engine.whole("jobs", jobs)]
    if sms is not None:
        args += ["--sms", _engine.whole("sms", sms)]
    with tempfile.TemporaryDirectory(prefix="hwsim_layer_") as d:
        out = os.path.join(d, "layer.json")
        _engine.run_command("run", args + ["--out", out] + _engine.cache_args(cache), progress, "layer")
        j = read_json(out)
    rows = [dict(k, sm_clock_MHz=k.get("sm_clock_mhz"), params=json.dumps(k["params"], sort_keys=True))
            for k in j["kernels"]]
    df = frame(rows, LAYER_COLUMNS)
    df.attrs.update(total_us=j["total_us"], phases_us=dict(j["phases_us"]), json=j)
    return df


def step(gpu: Gpu, *, comm: str = "deepep_sm", options: dict = None, comm_set: dict = None, model: str = "sim",
         jobs: int = 2, cache=None, progress: bool = False):
    """One DeepSeek-V3 training step (DualPipe, EP64, ZeRO-1 on 2,048 GPUs by
    default), as `hwsim step`.

    comm: EP communication: "deepep_sm" (the baseline) or a communication
        proposal ("comm_offload", "unified_scaleup_scaleout"), whose spec
        delta applies before the GPU's overrides.
    options: workload options {key: value} as `hwsim step --option`: gpus,
        pp, ep, seq (tokens), global_batch_seqs, mtp, skewed_routing,
        skew_sigma, seed.
    comm_set: DeepEP settings of the baseline: {"num_sms": N}.
    model: kernel timing model, "sim" (the simulator) or "roofline" (fast).
    jobs: kernels simulated at once (processes).

    Returns a one-row DataFrame: gpu, comm_model, model, step_s and its
    breakdown 1F_s, 1B_s, 1W_s, 1F1B_s, bubble_s, optimizer_s (seconds),
    tokens_per_gpu_per_s, tflops_per_gpu (TFLOP/s), mfu (fraction),
    gpu_hours_per_trillion_tokens, dispatch_us and combine_us (one MoE layer's
    forward all-to-all, microseconds), micro_batches. df.attrs["json"] is the
    CLI's --json output.
    """
    gpu = _plain_gpu(gpu, "hwsim.step()")
    args = [*gpu.cli_args(), "--comm", _engine.text("comm", comm), "--model", _engine.text("model", model),
            "--jobs", _engine.whole("jobs", jobs)]
    for kv in _pairs("options", options):
        args += ["--option", kv]
    for kv in _pairs("comm_set", comm_set):
        args += ["--comm-set", kv]
    with tempfile.TemporaryDirectory(prefix="hwsim_step_") as d:
        out = os.path.join(d, "step.json")
        _engine.run_command("step", args + ["--json", out] + _engine.cache_args(cache), progress, "step")
        j = read_json(out)
    row = {f"{k}_s": v for k, v in j["breakdown_s"].items()}
    row.update({k: j[k] for k in ("gpu", "comm_model", "model", "step_s", "tflops_per_gpu", "mfu",
                                  "gpu_hours_per_trillion_tokens", "micro_batches")})
    row.update(tokens_per_gpu_per_s=j["tokens_per_gpu_s"], dispatch_us=j["moe_layer_s"]["dispatch"] * 1e6,
               combine_us=j["moe_layer_s"]["combine"] * 1e6)
    df = frame([row], STEP_COLUMNS)
    df.attrs["json"] = j
    return df
