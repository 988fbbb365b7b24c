"""hwsim.study(), hwsim.sweep() and hwsim.validate(): the CLI's `study`,
`sweep run` and `validate`, their result files read into DataFrames."""
import json
import os
import tempfile

from . import _engine
from ._errors import InputError
from ._gpu import Gpu, gpu as make_gpu
from ._tables import frame, read_json

STUDY_COLUMNS = [("configuration", "object"), ("title", "object"), ("level", "object"),
                 ("layer_us", "float64"), ("layer_speedup", "float64"), ("hbm_bytes_saved", "float64"),
                 ("forward_us", "float64"), ("backward_input_us", "float64"), ("backward_weight_us", "float64"),
                 ("step_s", "float64"), ("step_speedup", "float64")]

STUDY_KERNEL_COLUMNS = [("configuration", "object"), ("name", "object"), ("phase", "object"), ("kind", "object"),
                        ("count", "int64"), ("time_us", "float64"), ("flops", "float64"), ("hbm_bytes", "float64"),
                        ("change", "object")]

VALIDATE_COLUMNS = [("gpu", "object"), ("id", "object"), ("class", "object"), ("measured_us", "float64"),
                    ("predicted_us", "float64"), ("error_pct", "float64"), ("sm_clock_MHz", "float64")]


def _gpu_args(gpu) -> list:
    gpu = make_gpu() if gpu is None else gpu
    if not isinstance(gpu, Gpu):
        raise InputError(f"gpu: expected a description from hwsim.gpu(), got {type(gpu).__name__}")
    if gpu.proposals:
        raise InputError("gpu: give the baseline GPU; the study applies each proposal itself "
                         f"(remove proposals={list(gpu.proposals)})")
    return gpu.cli_args()


def _layer_row(name, title, j, base_total):
    phases = j["phases"]
    return {"configuration": name, "title": title, "level": "layer", "layer_us": j["total_us"],
            "layer_speedup": base_total / j["total_us"], "hbm_bytes_saved": j.get("hbm_bytes_saved", 0.0),
            "forward_us": phases["forward"], "backward_input_us": phases["backward_input"],
            "backward_weight_us": phases["backward_weight"]}


def _study_frames(s: dict):
    base_total = s["baseline"]["total_us"]
    rows = [_layer_row("baseline", "baseline", s["baseline"], base_total)]
    kernels = [dict(k, configuration="baseline") for k in s["baseline"]["kernels"]]
    for p in s["proposals"]:
        if p.get("level") == "layer":
            rows.append(_layer_row(p["name"], p["title"], p, base_total))
            kernels += [dict(k, configuration=p["name"]) for k in p["kernels"]]
    step = s.get("step")
    if step:
        rows.append({"configuration": "baseline", "title": "baseline", "level": "step",
                     "step_s": step["baseline"]["step_s"], "step_speedup": 1.0})
        for p in step["proposals"]:
            rows.append({"configuration": p["name"], "title": p.get("title", p["name"]), "level": "step",
                         "step_s": p["step_s"], "step_speedup": p["speedup"]})
    return frame(rows, STUDY_COLUMNS), frame(kernels, STUDY_KERNEL_COLUMNS)


def study(proposals="all", gpu: Gpu = None, *, tokens: int = 4096, routing: str = "balanced", seed: int = 1,
          model: str = "sim", sensitivity: bool = True, step_options: dict = None, jobs: int = 2, cache=None,
          progress: bool = False):
    """The what-if study of `hwsim study`: the DeepSeek-V3 layer's kernels on
    `gpu` as it is and as each compute proposal changes it, and the training
    step with each communication proposal.

    proposals: "all", or a list of names (hwsim.proposals()).
    gpu: the baseline description (default hwsim.gpu("h800-sxm")), without
        proposals.
    tokens: tokens per GPU of one micro-batch; routing "balanced" or
        "skewed" (seeded by `seed`).
    model: kernel timing model, "sim" or "roofline" (fast).
    sensitivity: also sweep each proposal's parameters (slow; in attrs).
    step_options: the step's workload options {key: value} (gpus, pp, ...).
    jobs: configurations simulated at once (processes).

    Returns a DataFrame, one row per configuration and level: configuration
    (baseline or a proposal's name), title, level ("layer" or "step"),
    layer_us (microseconds per layer), layer_speedup (x), hbm_bytes_saved
    (bytes), forward_us, backward_input_us, backward_weight_us; step_s
    (seconds per step) and step_speedup (x) for the step rows. df.attrs:
    "kernels" (a DataFrame per configuration and kernel: time_us, flops,
    hbm_bytes, change), "summary" (summary.md's text) and "json"
    (study.json).
    """
    if proposals == "all":
        names = ["--all"]
    elif isinstance(proposals, (list, tuple)) and proposals:
        names = [_engine.text("proposals", p) for p in proposals]
    else:
        raise InputError(f"proposals: expected \"all\" or a non-empty list of names, got {proposals!r}")
    if not isinstance(sensitivity, bool):
        raise InputError(f"sensitivity: expected True or False, got {sensitivity!r}")
    args = names + _gpu_args(gpu) + [
        "--tokens", _engine.whole("tokens", tokens), "--routing", _engine.text("routing", routing),
        "--seed", _engine.whole("seed", seed), "--model", _engine.text("model", model),
        "--jobs", _engine.whole("jobs", jobs)]
    if not sensitivity:
        args.append("--no-sensitivity")
    for k, v in (step_options or {}).items():
        args += ["--step-option", _engine.set_text(k, v)]
    with tempfile.TemporaryDirectory(prefix="hwsim_study_") as d:
        _engine.run_command("study", args + ["--out", d] + _engine.cache_args(cache), progress, "study")
        s = read_json(os.path.join(d, "study.json"))
        with open(os.path.join(d, "summary.md"), encoding="utf-8") as f:
            summary = f.read()
    df, kernels = _study_frames(s)
    df.attrs.update(kernels=kernels, summary=summary, json=s)
    return df


def _sweep_spec_file(spec, folder: str) -> str:
    if isinstance(spec, dict):
        path = os.path.join(folder, "sweep.yaml")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f)  # JSON is YAML
        return path
    if isinstance(spec, (str, os.PathLike)):
        return os.fspath(spec)
    raise InputError(f"spec: expected a sweep file path or a dict (docs/sweeps.md), got {type(spec).__name__}")


def _sweep_frame(out: str):
    with open(os.path.join(out, "results.csv"), encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    rows = []
    with open(os.path.join(out, "results.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            rows.append({"index": r["index"], "hash": r["hash"], "status": r["status"], **r["axes"],
                         **r.get("outputs", {}), "error": r.get("error")})
    schema = [("index", "int64"), ("hash", "object"), ("status", "object")]
    schema += [(c, "float64") for c in header[3:]] + [("error", "object")]
    return frame(rows, schema).rename(columns={"sm_clock_mhz": "sm_clock_MHz"})


def sweep(spec, out=None, *, jobs: int = 2, retry_failed: bool = False, progress: bool = False):
    """A design-space sweep, as `hwsim sweep run SPEC --out OUT`
    (docs/sweeps.md): each point an ordinary `hwsim run`.

    spec: a sweep file (.yaml) or the same as a dict ({"gpu": ..., "workload":
        {"kernel": ..., "params": {...}}, "axes": {...}, ...}); paths inside a
        dict are relative to the working folder, so give absolute ones.
    out: the sweep folder (kept, resumable); None: a temporary one.
    jobs: points run at once (processes). retry_failed: run failed points
        again.

    Returns a DataFrame, one row per point in order: index, hash, status
    ("ok" or "failed"), one column per axis (named by its key, with the
    key's unit, e.g. hbm.bandwidth_GBps), the outputs (kernel: time_us,
    sm_clock_MHz; layer: total_us, forward_us, backward_input_us,
    backward_weight_us; NaN for a failed point) and error (None if ok).
    """
    args = ["--jobs", _engine.whole("jobs", jobs)]
    if retry_failed:
        args.append("--retry-failed")
    with tempfile.TemporaryDirectory(prefix="hwsim_sweep_") as d:
        folder = os.fspath(out) if out is not None else os.path.join(d, "sweep")
        args = [_sweep_spec_file(spec, d), "--out", folder] + args
        _engine.run_command("sweep run", args, progress, "sweep")  # exit 1: some point failed (in the table)
        return _sweep_frame(folder)


def _default_data() -> str:
    """validate/data of the working folder, else of the source tree this
    package was built from."""
    if os.path.isdir(os.path.join("validate", "data")):
        return os.path.join("validate", "data")
    from . import _build_info
    return os.path.join(_build_info.SOURCE_DIR, "validate", "data")


def validate(data=None, *, gpu: str = None, whatif: str = None, model: str = "sim", set: dict = None,
             gemm_config: str = "recorded", min_scored: float = 50, jobs: int = 2, cache=None,
             progress: bool = False):
    """The model against measured kernels, as `hwsim validate`.

    data: folder of measured records (*.jsonl, one folder per GPU); None:
        validate/data of the working folder or of the source tree.
    gpu: score only this GPU's records (e.g. "h100-sxm").
    whatif: "BASE:TARGET", e.g. "h100-sxm:h200-sxm": also compare predicted
        and measured speed-ups (df.attrs["whatif"]).
    model: "sim" or "roofline" (fast). set: overrides {key: value} for every
        GPU. gemm_config: "recorded" or "heuristic". min_scored: percent of a
        GPU's validation records that must be scored, else hwsim.InputError
        (the CLI's gate).

    Returns a DataFrame, one row per scored validation record: gpu, id,
    class (kernel class), measured_us, predicted_us (microseconds),
    error_pct (100 (predicted - measured) / measured), sm_clock_MHz (the
    measurement's clock). df.attrs: "summary" (per GPU: overall and per-class
    median |error| etc.), "whatif" and "json" (the CLI's --out).
    """
    data = _default_data() if data is None else os.fspath(data)
    args = ["--data", data, "--model", _engine.text("model", model), "--jobs", _engine.whole("jobs", jobs),
            "--gemm-config", _engine.text("gemm_config", gemm_config), "--min-scored", float(min_scored)]
    if gpu is not None:
        args += ["--gpu", _engine.text("gpu", gpu)]
    if whatif is not None:
        args += ["--whatif", _engine.text("whatif", whatif)]
    for k, v in (set or {}).items():
        args += ["--set", _engine.set_text(k, v)]
    with tempfile.TemporaryDirectory(prefix="hwsim_validate_") as d:
        out = os.path.join(d, "validation.json")
        _engine.run_command("validate", args + ["--out", out] + _engine.cache_args(cache), progress, "validate")
        j = read_json(out)
    rows = []
    for g in j["gpus"]:
        for p in g["points"]:
            rows.append(dict(p, gpu=g["gpu"], sm_clock_MHz=p.get("sm_clock_mhz"),
                             error_pct=100.0 * (p["predicted_us"] - p["measured_us"]) / p["measured_us"]))
    df = frame(rows, VALIDATE_COLUMNS)
    df.attrs.update(summary={g["gpu"]: {"overall": g["overall"], "classes": g["classes"]} for g in j["gpus"]},
                    whatif=j.get("whatif"), json=j)
    return df
