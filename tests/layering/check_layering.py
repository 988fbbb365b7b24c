#!/usr/bin/env python3
"""Checks hwsim's one-way layering on the #include lines of its C++ sources.

python -> apps -> hw_proposals -> workloads / validate / reports -> sim -> models: a
file may include its own layer or any layer below, never one above. Inside
workloads/, the communication models (workloads/comm) serve any model and so
never include a model's folder (workloads/deepseek_v3); inside hw_proposals/, the
sweep's core (hw_proposals/sweep) serves the proposals' study and `hwsim sweep`
and so includes nothing else of hw_proposals/.

usage: check_layering.py SOURCE_DIR
"""
import re
import subprocess
import sys
from pathlib import Path

RANK = {"models": 0, "sim": 1, "workloads": 2, "validate": 2, "reports": 2, "hw_proposals": 3, "apps": 4,
        "python": 5}
# (files, what they must not include, except this prefix)
FORBIDDEN = [("workloads/comm/", "workloads/deepseek_v3/", None),
             ("hw_proposals/sweep/", "hw_proposals/", "hw_proposals/sweep/")]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def top(path):
    return path.split("/", 1)[0]


def violations(root):
    files = subprocess.run(["git", "-C", str(root), "ls-files", "*.cpp", "*.hpp"], capture_output=True, text=True,
                           check=True).stdout.split()
    bad = []
    for f in files:
        if top(f) not in RANK:
            continue
        for n, line in enumerate((root / f).read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or top(m.group(1)) not in RANK:
                continue
            inc = m.group(1)
            if RANK[top(inc)] > RANK[top(f)]:
                bad.append(f"{f}:{n}: includes {inc}, a layer above {top(f)}/")
            for a, b, allowed in FORBIDDEN:
                if f.startswith(a) and inc.startswith(b) and not (allowed and inc.startswith(allowed)):
                    bad.append(f"{f}:{n}: includes {inc}; {a} must not depend on {b}")
    return bad, len(files)


def main():
    bad, n = violations(Path(sys.argv[1]))
    for line in bad:
        print("layering: " + line)
    print(f"layering: {n} files checked, {len(bad)} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
