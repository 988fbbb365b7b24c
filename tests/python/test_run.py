"""hwsim.run() and hwsim.gpu() against the CLI: the same JSON for the same
inputs, the same error text, stable DataFrame columns and dtypes."""
import json
import threading

import pytest

import hwsim
from conftest import cli_error

SMALL_GEMM = dict(m=256, n=512, k=256, a_dtype="fp8_e4m3", b_dtype="fp8_e4m3", out_dtype="bf16",
                  scaling="block_1x128_128x128")


def test_gemm_equals_cli_json(cli, tmp_path):
    r = hwsim.run(hwsim.gpu("h800-sxm"), "gemm", **SMALL_GEMM)
    out = tmp_path / "cli.json"
    cli("run", "--gpu", "h800-sxm", "--kernel", "gemm", "--m", 256, "--n", 512, "--k", 256, "--a-dtype", "fp8_e4m3",
        "--b-dtype", "fp8_e4m3", "--out-dtype", "bf16", "--scaling", "block_1x128_128x128", "--out", out)
    assert r.json == out.read_text()  # byte for byte
    cli_json = json.loads(out.read_text())
    assert r.time_us == cli_json["time_us"] > 0
    assert r.busy == cli_json["busy"] and r.bytes == cli_json["bytes"]
    assert r.to_dict() == cli_json


def test_memcpy_with_set_equals_cli(cli, tmp_path):
    gpu = hwsim.gpu("h800-sxm", set={"hbm.bandwidth_GBps": 4800})
    r = hwsim.run(gpu, "memcpy", bytes=1 << 22)
    out = tmp_path / "cli.json"
    cli("run", "--kernel", "memcpy", "--bytes", 1 << 22, "--set", "hbm.bandwidth_GBps=4800", "--out", out)
    assert r.json == out.read_text()
    slower = hwsim.run(hwsim.gpu("h800-sxm"), "memcpy", bytes=1 << 22)
    assert slower.time_us > r.time_us  # the override reached the simulation


def test_deterministic_and_thread_safe():
    gpu = hwsim.gpu("h800-sxm")
    serial = [hwsim.run(gpu, "memcpy", bytes=b, cache=False).json for b in (1 << 20, 1 << 21, 1 << 22)]
    results = [None] * 3

    def work(i, b):
        results[i] = hwsim.run(gpu, "memcpy", bytes=b, cache=False).json

    threads = [threading.Thread(target=work, args=(i, b)) for i, b in enumerate((1 << 20, 1 << 21, 1 << 22))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == serial
    assert len(set(serial)) == 3


def test_trace_writes_a_timeline(tmp_path):
    r = hwsim.run(hwsim.gpu(), "memcpy", bytes=1 << 20)
    path = r.trace(tmp_path / "t.json")
    trace = json.loads(open(path).read())
    assert trace["traceEvents"]


def test_bad_param_raises_the_cli_text(cli):
    with pytest.raises(hwsim.InputError) as e:
        hwsim.run(hwsim.gpu(), "gemm", m=-5, n=512, k=256)
    p = cli("run", "--kernel", "gemm", "--param", "m=-5", "--param", "n=512", "--param", "k=256", check=False)
    assert str(e.value) == cli_error(p)
    assert isinstance(e.value, ValueError) and isinstance(e.value, hwsim.Error)


def test_unknown_kernel_raises_the_cli_text(cli):
    with pytest.raises(hwsim.InputError) as e:
        hwsim.run(hwsim.gpu(), "gemmm", m=1)
    assert str(e.value) == cli_error(cli("run", "--kernel", "gemmm", "--param", "m=1", check=False))


def test_bad_set_raises_the_cli_text(cli):
    with pytest.raises(ValueError) as e:
        hwsim.gpu("h800-sxm", set={"hbm.bandwidth_GBps": -1})
    assert str(e.value) == "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = -1 must be > 0"
    assert str(e.value) == cli_error(cli("gpus", "show", "h800-sxm", "--set", "hbm.bandwidth_GBps=-1", check=False))


def test_missing_file_is_file_not_found(cli):
    with pytest.raises(FileNotFoundError) as e:
        hwsim.gpu("no/such/gpu.yaml")
    assert isinstance(e.value, hwsim.MissingFileError)
    assert str(e.value) == cli_error(cli("gpus", "show", "no/such/gpu.yaml", check=False))


def test_python_side_errors_name_the_parameter():
    with pytest.raises(hwsim.InputError, match="^gpu: expected a description from hwsim.gpu"):
        hwsim.run("h800-sxm", "memcpy", bytes=1024)
    with pytest.raises(hwsim.InputError, match="^set: expected a dict"):
        hwsim.gpu("h800-sxm", set=["hbm.bandwidth_GBps=1"])
    with pytest.raises(hwsim.InputError, match="^progress: expected True or False"):
        hwsim.run(hwsim.gpu(), "memcpy", bytes=1024, progress="yes")


def test_params_frame_is_stable():
    gpu = hwsim.gpu("h800-sxm", set={"hbm.bandwidth_GBps": 4000})
    df = gpu.params
    assert list(df.columns) == ["key", "value", "unit", "source", "set_at"]
    assert all(str(t) == "object" for t in df.dtypes)
    row = df[df.key == "hbm.bandwidth_GBps"].iloc[0]
    assert row.value == 4000 and row.unit == "GB/s" and row.set_at == "--set"
    assert df[df.key == "nvlink.nominal_bidir_GBps"].iloc[0].value == 400  # the H800's NVLink
    assert len(df) == len(hwsim.gpu("h100-sxm").params) > 50


def test_gpu_is_immutable():
    gpu = hwsim.gpu()
    with pytest.raises(AttributeError):
        gpu.name = "x"
    gpu.params.loc[0, "value"] = -1  # a copy
    assert gpu.params.loc[0, "value"] != -1
    faster = gpu.with_set({"hbm.bandwidth_GBps": 4800})
    assert faster.value("hbm.bandwidth_GBps") == 4800 and gpu.value("hbm.bandwidth_GBps") == 3352


def test_proposal_rewrites_the_kernel():
    base = hwsim.run(hwsim.gpu(), "gemm", **SMALL_GEMM)
    gsm = hwsim.gpu(proposals=["group_scaled_mma"])
    assert gsm.value("tensor_core.group_scaled_mma") is True
    r = hwsim.run(gsm, "gemm", **SMALL_GEMM)
    assert r.to_dict()["params"]["promotion"] == "tensor_core"
    assert r.time_us < base.time_us
    with pytest.raises(hwsim.InputError, match="unknown proposal|no proposal|proposal"):
        hwsim.gpu(proposals=["group_scaled_mmaa"])
