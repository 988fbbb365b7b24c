"""Shared by the PyTorch measurement scripts of validate/torch: records written as JSON Lines
atomically (a temporary file in the target's folder, then a rename), so a failed run never leaves a
half-written data file, and the records' provenance block. Standard library only."""
import datetime
import json
import os
import tempfile


def write_jsonl_atomic(path, records):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)) or ".", suffix=".partial")
    try:
        with os.fdopen(fd, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
