"""hwsim.layer/step/study/sweep/validate and numerics against the CLI's JSON
for the same inputs, and their DataFrames' columns and dtypes. Small inputs
and the roofline model keep these quick."""
import json
import os

import numpy as np
import pytest

import hwsim
from conftest import cli_error

SOURCE = os.environ.get("HWSIM_SOURCE_DIR", ".")


def dtypes(df):
    return {c: str(t) for c, t in df.dtypes.items()}


def test_layer_equals_cli(cli, tmp_path):
    df = hwsim.layer(hwsim.gpu(), tokens=256)
    out = tmp_path / "layer.json"
    cli("run", "--workload", "deepseek-v3-layer", "--tokens", 256, "--out", out)
    j = json.loads(out.read_text())
    assert df.attrs["json"] == j
    assert df.attrs["total_us"] == j["total_us"] == pytest.approx(df.time_us_total.sum())
    assert list(df.name) == [k["name"] for k in j["kernels"]]
    assert dtypes(df) == {"name": "object", "phase": "object", "kind": "object", "count": "int64",
                          "time_us_each": "float64", "time_us_total": "float64", "sm_clock_MHz": "float64",
                          "flops_each": "float64", "hbm_bytes_each": "float64", "params": "object",
                          "error": "object"}


def test_layer_refuses_a_gpu_with_proposals():
    with pytest.raises(hwsim.InputError, match="^gpu: hwsim.layer\\(\\) takes a GPU without proposals"):
        hwsim.layer(hwsim.gpu(proposals=["group_scaled_mma"]), tokens=256)


def test_step_equals_cli(cli, tmp_path):
    df = hwsim.step(hwsim.gpu(), model="roofline")
    out = tmp_path / "step.json"
    cli("step", "--model", "roofline", "--json", out)
    j = json.loads(out.read_text())
    assert df.attrs["json"] == j
    assert df.step_s[0] == j["step_s"] > 0 and df["1F1B_s"][0] == j["breakdown_s"]["1F1B"]
    assert list(df.columns)[:4] == ["gpu", "comm_model", "model", "step_s"]
    assert dtypes(df)["micro_batches"] == "int64" and dtypes(df)["mfu"] == "float64"


def test_step_bad_option_is_the_cli_text(cli):
    with pytest.raises(hwsim.InputError) as e:
        hwsim.step(hwsim.gpu(), model="roofline", options={"pp": 0})
    assert str(e.value) == cli_error(cli("step", "--model", "roofline", "--option", "pp=0", check=False))


def test_study_equals_cli(cli, tmp_path):
    df = hwsim.study(["group_scaled_mma", "comm_offload"], tokens=256, model="roofline", sensitivity=False)
    cli("study", "group_scaled_mma", "comm_offload", "--tokens", 256, "--model", "roofline", "--no-sensitivity",
        "--out", tmp_path)
    j = json.loads((tmp_path / "study.json").read_text())
    assert df.attrs["json"] == j
    assert df.attrs["summary"] == (tmp_path / "summary.md").read_text()
    assert list(zip(df.configuration, df.level)) == [("baseline", "layer"), ("group_scaled_mma", "layer"),
                                                     ("baseline", "step"), ("comm_offload", "step")]
    assert df.layer_us[0] == j["baseline"]["total_us"]
    assert list(df.columns) == ["configuration", "title", "level", "layer_us", "layer_speedup", "hbm_bytes_saved",
                                "forward_us", "backward_input_us", "backward_weight_us", "step_s", "step_speedup"]
    assert set(dtypes(df).values()) == {"object", "float64"}
    kernels = df.attrs["kernels"]
    assert set(kernels.configuration) == {"baseline", "group_scaled_mma"}


def test_study_unknown_proposal_is_the_cli_text(cli):
    with pytest.raises(hwsim.InputError) as e:
        hwsim.study(["group_scaled"], model="roofline")
    assert str(e.value) == cli_error(cli("study", "group_scaled", "--model", "roofline", check=False))


def test_sweep_equals_cli(cli, tmp_path):
    spec = {"gpu": "h800-sxm", "workload": {"kernel": "memcpy", "params": {"bytes": 1048576}},
            "axes": {"hbm.bandwidth_GBps": {"values": [2000, 4000]}}}
    df = hwsim.sweep(spec, out=tmp_path / "py")
    (tmp_path / "spec.yaml").write_text(json.dumps(spec))
    cli("sweep", "run", tmp_path / "spec.yaml", "--out", tmp_path / "cli")
    assert (tmp_path / "py" / "results.jsonl").read_text() == (tmp_path / "cli" / "results.jsonl").read_text()
    assert list(df.columns) == ["index", "hash", "status", "hbm.bandwidth_GBps", "time_us", "sm_clock_MHz",
                                "error"]
    assert dtypes(df)["index"] == "int64" and dtypes(df)["time_us"] == "float64"
    assert list(df.status) == ["ok", "ok"] and df.time_us[0] > df.time_us[1]


def test_validate_equals_cli(cli, tmp_path):
    data = os.path.join(SOURCE, "validate", "data")
    df = hwsim.validate(data, gpu="h100-sxm", model="roofline")
    out = tmp_path / "v.json"
    cli("validate", "--data", data, "--gpu", "h100-sxm", "--model", "roofline", "--out", out)
    j = json.loads(out.read_text())
    assert df.attrs["json"] == j
    assert len(df) == len(j["gpus"][0]["points"]) > 100
    assert list(df.columns) == ["gpu", "id", "class", "measured_us", "predicted_us", "error_pct", "sm_clock_MHz"]
    assert dtypes(df)["error_pct"] == "float64"
    p = df.iloc[0]
    assert p.error_pct == pytest.approx(100 * (p.predicted_us - p.measured_us) / p.measured_us)


def test_validate_missing_folder(cli, tmp_path):
    with pytest.raises(hwsim.MissingFileError) as e:
        hwsim.validate(tmp_path / "nothing", model="roofline")
    assert str(e.value) == cli_error(cli("validate", "--data", tmp_path / "nothing", "--model", "roofline",
                                         check=False))


def test_numerics_gemm_equals_cli(cli, tmp_path):
    rng = np.random.default_rng(1)
    values = np.array([0.5, 1.0, 1.5, -2.0, 0.25, 3.0, -0.375, 448.0])
    a = rng.choice(values, size=(4, 256))
    b = rng.choice(values, size=(3, 256))
    c = hwsim.numerics.gemm(a, b, promote_every=128)
    (tmp_path / "ab.json").write_text(json.dumps({"a": a.tolist(), "b": b.tolist()}))
    cli("numerics", "gemm", "--in", tmp_path / "ab.json", "--out", tmp_path / "c.json", "--promote-every", 128)
    bits = [[int(x, 16) for x in row] for row in json.loads((tmp_path / "c.json").read_text())["c"]]
    assert c.dtype == np.float32 and c.shape == (4, 3)
    assert c.view(np.uint32).tolist() == bits
    assert np.allclose(c, a @ b.T, rtol=1e-3)


def test_numerics_gemm_refuses_non_e4m3():
    with pytest.raises(hwsim.InputError, match=r"^a\[0, 1\]: 0.1 is not exactly representable in E4M3$"):
        hwsim.numerics.gemm(np.array([[1.0, 0.1]]), np.array([[1.0, 1.0]]))
    with pytest.raises(hwsim.InputError, match="promote-every|promote_every"):
        hwsim.numerics.gemm(np.ones((1, 256)), np.ones((1, 256)), promote_every=100)
