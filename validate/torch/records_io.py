"""Shared by the PyTorch measurement scripts of validate/torch: records written as JSON Lines
atomically (a temporary file in the target's folder, then a rename), so a failed run never leaves a
half-written data file. Standard library only."""
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
