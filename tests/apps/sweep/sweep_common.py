"""What the sweep tests share: a small kernel sweep and a way to run hwsim."""
import subprocess

SWEEP = """workload:
  kernel: gemm
  params: {m: 1024, n: 1024, k: 1024, a_dtype: bf16, b_dtype: bf16, out_dtype: bf16}
axes:
  hbm.bandwidth_GBps: {values: [3352, 4800]}
  l2.bytes_per_clk: {from: 3000, to: 5000, steps: 3}
"""


def run(*cmd, env=None):
    """Return code and stdout + stderr of one command."""
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return done.returncode, done.stdout + done.stderr
