"""Shared by the PyTorch measurement scripts of validate/torch: records written as JSON Lines (or one
JSON document) atomically (a temporary file in the target's folder, then a rename), so a failed run
never leaves a half-written data file; the records' provenance block; the kernel events of a
profiler's exported Chrome trace. Standard library only."""
import datetime
import json
import os
import tempfile


def _write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)) or ".", suffix=".partial")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_jsonl_atomic(path, records):
    _write_atomic(path, "".join(json.dumps(r) + "\n" for r in records))


def write_json_atomic(path, document):
    _write_atomic(path, json.dumps(document, indent=1) + "\n")


def trace_kernel_events(trace_path):
    """The kernel events (category "kernel": name, dur in microseconds, args with grid, block,
    registers and shared memory) of a Chrome trace written by torch.profiler's export_chrome_trace."""
    with open(trace_path) as f:
        events = json.load(f).get("traceEvents", [])
    return [e for e in events if e.get("cat") == "kernel"]


def provenance(torch, script, gpu_name, out, flags="", driver=None, cudnn=False):
    """The provenance block of a record: the GPU, the software, the UTC start and the command
    (`script` under validate/torch, the output's base name, any further `flags`). `driver` and
    the cuDNN version are added where the script records them."""
    p = {"gpu_name": torch.cuda.get_device_name(0)}
    if driver is not None:
        p["driver"] = driver
    p["cuda"] = torch.version.cuda
    p["torch"] = torch.__version__
    if cudnn:
        p["cudnn"] = str(torch.backends.cudnn.version())
    p["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    p["command"] = (f"python3 validate/torch/{script} --gpu-name {gpu_name} --out {os.path.basename(out)}" + flags)
    return p
