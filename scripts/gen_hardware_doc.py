#!/usr/bin/env python3
"""Regenerates docs/hardware.md from the hwsim binary: the parameter tables
come from `hwsim gpus schema --json` (the one table of keys in
models/spec/hardware_spec.cpp) the range of each key and each preset's resolved values and sources
from `hwsim gpus show NAME --json`. The prose of each section is kept in this
file; run it after changing the schema, a preset or the prose:

    python3 scripts/gen_hardware_doc.py build/bin/hwsim
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = 'h100-sxm'
SECTIONS = {
    'clock': "Clocks. The simulation converts cycles to time with `clock.sm_MHz`; it assumes the boost clock by default, which is optimistic for long, power-capped GEMMs (the H100 SXM drops to 1.2–1.7 GHz at 700 W on about a third to a half of large GEMM runs). Every measurement records its SM clock, so an error caused by throttling can be told apart from a modelling error; `--set clock.sm_MHz=1600` runs the model at a throttled clock.",
    'sm': "Streaming multiprocessors. Occupancy (CTAs per SM) follows from threads, warps, registers (allocated per warp in `register_alloc_unit` granules) and shared memory (each CTA also pays `smem_reserved_per_block_bytes`). `sms_per_gpc` places thread-block clusters: a cluster must fit in one GPC, so a kernel that shares the GPU with another loses whole clusters.",
    'tensor_core': "Tensor cores. Rates are dense MMA FLOP per SM clock for the whole SM (4 sub-partition tensor cores). One warp group's `wgmma` uses the whole SM's tensor throughput, so the latency of a wgmma of shape m64nNkK is about max(`wgmma_min_latency_cycles`, 2·64·N·K / rate), reaching `wgmma_latency_cycles` at N = 256. The FP8 accumulator keeps `fp8_accum_fraction_bits` fraction bits (docs/numerics.md). `group_scaled_mma`, `group_scale_cycles` and `transposed_fp8_operands` describe features Hopper lacks; the proposals in `hw_proposals/` switch them on.",
    'cuda_core': "CUDA cores: the FP32 pipe that performs DeepSeek-V3's promotion (partial sums moved out of the tensor cores every 128 of K, scaled and added in FP32), and the pipes used by elementwise kernels (quantization, SwiGLU, RMSNorm).",
    'tma': "Tensor Memory Accelerator: one per SM, copies boxes between global and shared memory and signals an mbarrier with the transaction bytes. Issue cost and in-flight limit bound how fast one SM can stream tiles. `fp8_cast_bytes_per_clk` is 0 on Hopper (the TMA copies without conversion); the fused cast + TMA proposal sets it.",
    'l2': "L2 cache: two partitions (a hit in the far one costs `far_extra_latency_cycles` more), address-hashed slices, LRU at line granularity. `bytes_per_clk` is the aggregate bandwidth at the SM clock. `coalesce_window_cycles` and `coalesced_read_fraction` let reads of a chunk that meet within the window share its data-array access (off in the presets; docs/engine.md, \"Coalesced reads\").",
    'hbm': "HBM: `bandwidth_GBps` is the datasheet peak (memory clock × 2 × bus width / 8); the efficiency fractions are what streaming reads, writes and copies sustain (calibrated on the H100 from the HBM microbenchmarks only). Other GPUs inherit the efficiencies: a faster memory of the same kind is assumed to be as efficient. `near_memory_cast_GBps` (0 today) and `internal_bandwidth_GBps` describe logic beside the HBM for the near-memory compute proposal.",
    'nvlink': "NVLink (scale-up). Both the nominal total (both directions, as datasheets quote it) and the achieved one-way bandwidth are kept: DeepSeek-V3 quotes 160 GB/s achieved of the H800's 200 GB/s per direction (400 GB/s total).",
    'pcie': "PCIe to the host.",
    'nic': "Scale-out network interface (InfiniBand ConnectX-7 in DeepSeek's cluster): line rate and what software reaches. `unified_scaleup_scaleout` and `adapter_latency_us` describe a network adapter that joins NVLink and IB and forwards IB arrivals to the node's GPUs itself; no Hopper node has one (off, 0), the unified_scaleup_scaleout proposal in `hw_proposals/` switches it on.",
    'fabric': "The cluster's scale-out fabric (ISCA 2025 5.1): GPUs per node, the planes of the multi-plane fat-tree (one NIC per GPU, each on its own plane), the switch radix, and the extra latency of a path through a spine switch. The multi-GPU model (models/interconnect/, docs/multigpu.md) builds the cluster from these.",
    'comm_coprocessor': "Communication co-processor: an engine that does the EP all-to-all's forwarding between IB and NVLink, RDMA-buffer copies and combine reductions, which DeepEP does on 20 SMs today (DeepSeek-V3 3.2.2). Absent on every real GPU (`present` false, rates 0); the comm_offload proposal in `hw_proposals/` describes one. A description with `present` true must give a `throughput_GBps` > 0.",
    'launch': "Kernel launch: the gap between back-to-back kernels on one stream, and the part of it a profiler trace counts inside a kernel's span. A profiler (CUPTI, and so `torch.profiler`) reports a kernel from the moment the front end starts its grid to its completion: an empty one-block kernel spans 0.83 µs on the H100 (`validate/torch/kernel_span.py`); `hwsim trace predict` adds `profiler_span_us` to every predicted kernel, where `hwsim run`'s `time_us` adds the whole `overhead_us` (which includes it) in front of the kernel instead.",
    'power': "The power cap (models/power/dvfs.hpp): the clocks a fully busy tensor stream reading fresh operands settles at fix the tensor cores' share of the 700 W budget; `hbm_budget_share_per_TBps` and `l2_budget_share_per_TBps` are what HBM traffic and reads served by the L2 take from it, each calibrated with a wgmma stream on 112 SMs with and without a copy (HBM) or an L2-resident read stream beside it. Not fitted, and checked: the fresh-operand stream on 112 SMs settles at 1,695 MHz measured, 1,696 MHz predicted; sustained GEMMs and attention (validate/data/h100-sxm/steady_clock.jsonl) settle at 1,320-1,695 MHz measured.",
}
HEAD = """# Hardware descriptions

hwsim describes each GPU in a YAML file under `models/gpus/`: `h100-sxm.yaml` is the base; `h800-sxm.yaml` and `h200-sxm.yaml` inherit from it and override only what differs (the H800's NVLink; the H200's memory). The files are compiled into `hwsim`; `hwsim gpus list` lists them and `hwsim gpus show NAME` prints every resolved parameter with its unit, the file and line that set it, and its source, followed by a roofline summary computed from the parameters. `hwsim gpus schema` prints the table of keys (unit, allowed range, meaning; `--markdown` or `--json`).

(The tables below are generated by `scripts/gen_hardware_doc.py` from `hwsim gpus schema --json` and the presets. Short source labels such as `REFERENCE D` or `JMS` are explained in [`docs/references.md`](references.md).)

## File format

```yaml
name: h800-sxm
display_name: NVIDIA H800 SXM5 80GB
inherits: h100-sxm            # a preset name or a path to another .yaml file
params:
  nvlink:
    nominal_bidir_GBps: {value: 400, source: "paper: ISCA 2025 4.1, ..."}
```

* **Units in key names.** A key ends in its unit (`_MHz`, `_GBps`, `_Gbps`, `_bytes`, `_GB`, `_ns`, `_us`, `_cycles`, `_W`, `_per_clk`, `_bits`, `_fraction`); keys without a suffix are counts or flags. A quantity may instead carry its unit in the value under the key without the suffix: `hbm.bandwidth: {value: "3.35 TB/s", source: ...}` or `--set "hbm.bandwidth=4.8 TB/s"` is converted to `hbm.bandwidth_GBps`. A plain number under a key that needs a unit is an error.
* **A source for every number**, beginning with its kind:
  * `datasheet:` NVIDIA or JEDEC documents (whitepaper, product page, tuning guide, PTX ISA, CUDA device query);
  * `paper:` papers and vendor-engineering write-ups (DeepSeek-V3, ISCA 2025, Luo et al., FlashMLA notes);
  * `derived:` arithmetic on other sourced numbers, shown in the source text;
  * `measured:` the id of a calibration record in `validate/data/h100-sxm/` (calibration uses H100 microbenchmarks only);
  * `assumption:` nothing published; the source says why the value was chosen and what being wrong would change.
  A test fails if any parameter of any preset lacks a source of one of these kinds.
* **Nominal versus measured** values are separate keys where both matter (NVLink nominal total versus achieved one-way; HBM peak versus sustained efficiency).
* **Overrides**: `--set key=value` (repeatable) on any simulating command. Overrides are validated like file values and recorded with the source `override: --set ...` in the resolved description written next to every result.

## Errors

Loading stops at the first problem with one line that names the file and line (or the `--set`), the key and the rule: unknown keys (with a did-you-mean), missing keys, wrong types, whole numbers required, values that must be positive, non-negative or a fraction in (0, 1], values outside the key's range (the range column below: finite always, integers checked before they fill a member, rates from 0.001 to 10^6 GB/s, docs/reliability.md), numbers without a unit where one is required, units of the wrong dimension, parameters without a source, malformed YAML (file:line:column), unreadable files, unknown presets, inheritance cycles, and cross-parameter rules (the GPC list must sum to the SM count; the simulated clock may not exceed the boost clock). `tests/sim/config/test_config_errors.cpp` checks the exact text of each.

## Parameters
"""
TAIL = """
The H200 differs from the H100 by datasheet and device-query facts alone (HBM3e capacity, stacks and bandwidth; the 60 MB L2; the memory clock). No H200 measurement sets any of its parameters: H200 runs are validation data only, which is what makes the H200 prediction a test of the model.
"""



def hwsim(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def preset_params(binary, name):
    """The resolved parameters of one preset: key -> {value, unit, source, set_at}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f'{name}.json'
        hwsim(binary, 'gpus', 'show', name, '--json', str(path))
        return json.loads(path.read_text())['params']


def cell(value):
    # Python's spelling (False, [1, 2]) as the tables have always shown it.
    if isinstance(value, list):
        return '[' + ', '.join(map(str, value)) + ']'
    return str(value)


def section_of(key):
    return key.split('.', 1)[0]


def parameter_tables(schema, base):
    missing = sorted({section_of(r['key']) for r in schema} - SECTIONS.keys())
    if missing:
        sys.exit(f'gen_hardware_doc.py: no prose section for {missing}; add it to SECTIONS')
    out = []
    for sec, text in SECTIONS.items():
        out.append(f'\n### `{sec}`\n\n{text}\n\n| key | meaning | range | H100 SXM value | source |\n|---|---|---|---|---|\n')
        for row in schema:
            if section_of(row['key']) != sec:
                continue
            p = base[row['key']]
            rng = f"{row['range']} {row['unit']}".strip()
            out.append(f"| `{row['key']}` | {row['description']} | {rng} | {cell(p['value'])} | "
                       f"{p['source'].replace('|', '/')} |\n")
    return out


def derived_table(binary, schema, presets):
    """The keys each derived preset's own file sets, in schema order."""
    out = ['\n## What the derived presets change\n\n| preset | key | value | source |\n|---|---|---|---|\n']
    for name in presets:
        if name == BASE:
            continue
        params = preset_params(binary, name)
        for row in schema:
            p = params[row['key']]
            if Path(p['set_at'].rsplit(':', 1)[0]).name == f'{name}.yaml':
                out.append(f"| {name} | `{row['key']}` | {cell(p['value'])} | {p['source']} |\n")
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: python3 scripts/gen_hardware_doc.py PATH/TO/hwsim   (e.g. build/bin/hwsim)')
    binary = sys.argv[1]
    schema = json.loads(hwsim(binary, 'gpus', 'schema', '--json'))
    presets = sorted(line.split()[0] for line in hwsim(binary, 'gpus', 'list').splitlines() if line.strip())
    out = [HEAD]
    out += parameter_tables(schema, preset_params(binary, BASE))
    out += derived_table(binary, schema, presets)
    out.append(TAIL)
    (ROOT / 'docs/hardware.md').write_text(''.join(out))


if __name__ == '__main__':
    main()
