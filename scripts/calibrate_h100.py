#!/usr/bin/env python3
"""Sets the calibrated parameters of models/gpus/h100-sxm.yaml from the H100
calibration microbenchmarks in validate/data/h100-sxm/ (calibration.jsonl,
power_movement.jsonl, scaling.jsonl, kernel_span.jsonl: every record role calibration), each
with `source: measured: <record id>` and the arithmetic. Only calibration
records are read; validation records and H200 data never set a parameter."""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = [ROOT / 'validate/data/h100-sxm' / f
           for f in ('calibration.jsonl', 'power_movement.jsonl', 'scaling.jsonl', 'kernel_span.jsonl')]
YAML = ROOT / 'models/gpus/h100-sxm.yaml'
CLOCK_GHZ = 1.98   # the records' provenance: the microbenchmarks ran at 1980 MHz
HBM_PEAK = 3352.0  # hbm.bandwidth_GBps (datasheet)


def main():
    recs = {}
    for path in RECORDS:
        for line in path.read_text().splitlines():
            r = json.loads(line)
            assert r['role'] == 'calibration', r['id']
            assert r['id'] not in recs, r['id']
            recs[r['id']] = r
    text = YAML.read_text()

    def d(rid, key):
        return recs[rid]['derived'][key]

    def setv(key, value, source):
        nonlocal text
        sec, name = key.split('.')
        start = text.index('\n  ' + sec + ':\n')
        pat = re.compile(r'^(    ' + re.escape(name) + r': )\{value: (\[[^\]]*\]|[^,]+), source: "[^"]*"\}$', re.M)
        m = pat.search(text, start)
        assert m, key
        text = text[:m.start()] + m.group(1) + '{value: ' + value + ', source: "' + source + '"}' + text[m.end():]

    r, w, c = ('h100-sxm/ubench_hbm/%s/bytes2147483648' % op for op in ('read', 'write', 'copy'))
    setv('hbm.read_efficiency_fraction', f"{d(r, 'GBps') / HBM_PEAK:.3f}",
         f"measured: {r} ({d(r, 'GBps'):.0f} GB/s / 3352 GB/s peak)")
    setv('hbm.write_efficiency_fraction', f"{d(w, 'GBps') / HBM_PEAK:.3f}",
         f"measured: {w} ({d(w, 'GBps'):.0f} GB/s / 3352 GB/s peak)")
    setv('hbm.copy_efficiency_fraction', f"{d(c, 'GBps') / HBM_PEAK:.3f}",
         f"measured: {c} ({d(c, 'GBps'):.0f} GB/s moved, read + write, / 3352 GB/s peak)")
    l2 = 'h100-sxm/ubench_l2/read/footprint13107200'
    setv('l2.bytes_per_clk', f"{d(l2, 'GBps') / CLOCK_GHZ:.0f}",
         f"measured: {l2} ({d(l2, 'GBps'):.0f} GB/s at 1980 MHz)")
    # L2 read bandwidth reachable from SM subsets (green contexts): the
    # `scaling` records, in ascending SM count, the last the whole GPU.
    subsets = sorted((r['params']['sms'], r['derived']['GBps'], rid) for rid, r in recs.items()
                     if rid.startswith('h100-sxm/ubench_l2/read_sms'))
    assert subsets and subsets[-1][0] == 132, subsets
    setv('l2.subset_sms', '[' + ', '.join(str(n) for n, _, _ in subsets) + ']',
         f"measured: {subsets[0][2]} .. {subsets[-1][2]} (L2-resident reads, ld.global.cg, on green contexts "
         f"of {subsets[0][0]}-{subsets[-1][0]} SMs)")
    setv('l2.subset_read_GBps', '[' + ', '.join(f'{g:.0f}' for _, g, _ in subsets) + ']',
         "measured: " + " ".join(rid for _, _, rid in subsets) +
         " (GB/s at 1980 MHz, in the order of l2.subset_sms; a launch on N SMs gets the interpolated share of "
         "l2.bytes_per_clk, the last entry being the whole GPU)")
    ll1, ll2, lhbm = ('h100-sxm/ubench_latency/' + x for x in ('l1', 'l2', 'hbm'))
    setv('l2.hit_latency_cycles', f"{d(ll2, 'cycles_per_load'):.0f}",
         f"measured: {ll2} (pointer chase, {d(ll2, 'cycles_per_load'):.1f} cycles per load)")
    setv('hbm.latency_ns', f"{(d(lhbm, 'cycles_per_load') - d(ll2, 'cycles_per_load')) / CLOCK_GHZ:.0f}",
         f"measured: {lhbm} minus {ll2} ({d(lhbm, 'cycles_per_load'):.1f} - {d(ll2, 'cycles_per_load'):.1f} "
         f"cycles at 1980 MHz)")
    setv('sm.l1_hit_latency_cycles', f"{d(ll1, 'cycles_per_load'):.0f}",
         f"measured: {ll1} (pointer chase, {d(ll1, 'cycles_per_load'):.1f} cycles per load)")
    sm = 'h100-sxm/ubench_smem/read_v4'
    setv('sm.smem_bytes_per_clk', f"{d(sm, 'bytes_per_clk_per_sm'):.1f}",
         f"measured: {sm} ({d(sm, 'bytes_per_clk_per_sm'):.1f} B/clk/SM, 16-byte loads)")
    tl = 'h100-sxm/ubench_tma/latency_l2/box128x64'
    setv('tma.extra_latency_cycles', f"{d(tl, 'cycles_per_load') - d(ll2, 'cycles_per_load'):.0f}",
         f"measured: {tl} minus {ll2} ({d(tl, 'cycles_per_load'):.1f} - {d(ll2, 'cycles_per_load'):.1f} cycles, "
         f"an 8 KiB box from L2 against one load)")
    w256 = 'h100-sxm/ubench_wgmma/latency/fp8_e4m3_m64n256k32'
    w64 = 'h100-sxm/ubench_wgmma/latency/fp8_e4m3_m64n64k32'
    setv('tensor_core.wgmma_latency_cycles', f"{d(w256, 'cycles_per_wgmma'):.0f}",
         f"measured: {w256} and h100-sxm/ubench_wgmma/latency/bf16_m64n256k16 "
         f"({d(w256, 'cycles_per_wgmma'):.1f} cycles, dependent chain)")
    setv('tensor_core.wgmma_min_latency_cycles', f"{d(w64, 'cycles_per_wgmma'):.0f}",
         f"measured: {w64} and h100-sxm/ubench_wgmma/latency/bf16_m64n64k16 "
         f"({d(w64, 'cycles_per_wgmma'):.1f} cycles at N = 64)")
    ff = 'h100-sxm/ubench_ffma/fp32'
    setv('cuda_core.fp32_flop_per_clk', f"{d(ff, 'flops_per_clk_per_sm'):.0f}",
         f"measured: {ff} ({d(ff, 'flops_per_clk_per_sm'):.1f} FLOP/clk/SM at the recorded clock; datasheet 256)")
    lg = 'h100-sxm/ubench_launch/dependent_gap'
    setv('launch.overhead_us', f"{d(lg, 'gap_ns_median') / 1000:.2f}",
         f"measured: {lg} (median gap between dependent kernels on one stream, as the validation kernels run)")
    sp = 'h100-sxm/ubench_launch/span_empty/grid1_block128'
    setv('launch.profiler_span_us', f"{recs[sp]['measured']['time_us_median']:.2f}",
         f"measured: {sp} (CUPTI duration of an empty one-block kernel, median of 50)")
    g = 'h100-sxm/ubench_gpc/structure'
    sizes = d(g, 'group_sizes_sorted')
    setv('sm.gpcs', str(len(sizes)),
         f"measured: {g} (cluster placement domains: 7 full GPCs; the SMs of the eighth place as one group of 8 "
         f"and four of 2; NVIDIA counts 8 GPCs)")
    setv('sm.sms_per_gpc', '[' + ', '.join(map(str, sizes)) + ']',
         f"measured: {g} (the max active clusters of sizes 1-16 in h100-sxm/ubench_gpc/cluster1..16 follow from "
         f"these groups)")
    # The power cap: the clock a fully busy tensor stream settles at. A GEMM's
    # tensor cores read a new K-slice every wgmma, so the streams that rotate
    # through fresh random operands are the reference (the same tile over and
    # over draws less: h100-sxm/ubench_power/wgmma_all_sms settles higher). Each
    # run keeps the tensor cores busy a fraction u = TFLOP/s / (peak per clock x
    # NVML clock) of the time; the clock a 100% busy stream would settle at is
    # f u^(1/3) (power ~ u f^3 at the cap).
    for dtype, rate, rid in (('fp8', 8192, 'h100-sxm/ubench_power/movement/wgmma_fresh_all_sms'),
                             ('bf16', 4096, 'h100-sxm/ubench_power/movement/wgmma_fresh_bf16_all_sms')):
        tf, f = d(rid, 'wgmma_TFLOPs'), d(rid, 'sm_clock_mhz_median')
        u = tf * 1e12 / (rate * 132 * f * 1e6)
        setv(f'power.{dtype}_mma_full_load_MHz', f"{f * u ** (1 / 3):.0f}",
             f"measured: {rid} ({f:.0f} MHz at {tf:.0f} TFLOP/s, tensor cores busy u = {u:.3f} of the time at "
             f"{rate} FLOP/clk/SM x 132 SMs; {f:.0f} x u^(1/3))")
    # A traffic's share of the power budget. With the wgmma stream on 112 of
    # 132 SMs alone the clock settles at f_b (the SMs take the whole budget:
    # s (f_b / f_max)^e = 1); with C TB/s of traffic beside it at f_c, the SMs
    # get what the traffic leaves: s (f_c / f_max)^e = 1 - h C. So
    # h = (1 - (f_c/f_b)^e) / C. Both clocks are NVML samples of one run.
    def budget_share(key, b, c, what):
        fb, fc = d(b, 'sm_clock_mhz_median'), d(c, 'sm_clock_mhz_median')
        tbps = d(c, 'copy_GBps') / 1000
        share = (1 - (fc / fb) ** 3) / tbps
        setv(key, f"{share:.3f}",
             f"measured: {c} ({fc:.0f} MHz with {what.format(tbps * 1000)} beside the wgmma stream, against "
             f"{fb:.0f} MHz without it in {b} ; h = (1 - ({fc:.0f}/{fb:.0f})^3) / {tbps:.3f} TB/s)")

    # HBM: a copy through HBM beside it; L2: an L2-resident read stream (a second run, movement/).
    budget_share('power.hbm_budget_share_per_TBps', 'h100-sxm/ubench_power/wgmma_112_sms',
                 'h100-sxm/ubench_power/wgmma_112_sms_with_copy_20_sms', "a {:.0f} GB/s copy")
    budget_share('power.l2_budget_share_per_TBps', 'h100-sxm/ubench_power/movement/wgmma_112_sms',
                 'h100-sxm/ubench_power/movement/wgmma_112_sms_with_l2read_20_sms', "{:.0f} GB/s of L2 reads")
    power_dynamics(setv)
    YAML.write_text(text)


def simulate_step(t_ms, load, tau_ms, beta, fast, f_max=1980.0):
    """The clock of models/power/controller.hpp for a constant load stepped on at
    t = 0 from rest: `load` is the stream's power at f_max in units of the sustained
    budget, so it settles at f_max load^(-1/3). Returns the clock at each t_ms."""
    import math
    out, x, t_prev = [], 0.0, 0.0
    for t in t_ms:
        dt = t - t_prev
        # A few sub-steps per bin keep the explicit update close to the exact one.
        n = max(1, int(dt / (tau_ms / 50)) + 1)
        for _ in range(n):
            budget = min(fast, 1 + beta * (1 - x))
            drawn = min(load, budget)
            x = drawn + (x - drawn) * math.exp(-(dt / n) / tau_ms)
        budget = min(fast, 1 + beta * (1 - x))
        out.append(f_max * min(1.0, (load / budget) ** (-1 / 3)))
        t_prev = t
    return out


def grid_search(t_ms, mhz, load, taus, betas, fasts, best=None):
    for tau in taus:
        for beta in betas:
            for fast in fasts:
                pred = simulate_step(t_ms, load, tau, beta, fast)
                err = sum((p - m) ** 2 for p, m in zip(pred, mhz)) / len(mhz)
                if best is None or err < best[0]:
                    best = (err, tau, beta, fast)
    return best


def train_clock(schedule, load, tau_ms, beta, fast, after_ms=1000.0, h=0.25, f_max=1980.0):
    """The mean clock while loaded, from `after_ms` on, of a schedule of
    (loaded, ms) segments from rest (the controller of simulate_step)."""
    import math
    x, t, clocks = 0.0, 0.0, []
    decay = math.exp(-h / tau_ms)
    for loaded, ms in schedule:
        for _ in range(int(round(ms / h))):
            budget = min(fast, 1 + beta * (1 - x))
            drawn = min(load, budget) if loaded else 0.0
            if loaded and t >= after_ms:
                clocks.append(f_max * min(1.0, (load / budget) ** (-1 / 3)))
            x = drawn + (x - drawn) * decay
            t += h
    return sum(clocks) / len(clocks)


def fit_dynamics(t_ms, mhz, f_settled, trains):
    """tau and the fast budget from the step (least squares over its bins: a
    coarse grid, then a fine one), the rested headroom from the trains of load
    with idle gaps (least squares of their mean clocks after 1 s; the step alone
    hardly constrains it); two rounds. Deterministic."""
    load = (1980.0 / f_settled) ** 3
    beta = 4.0
    for _ in range(2):
        _, tau, _, fast = grid_search(t_ms, mhz, load, [10 * 1.5 ** i for i in range(22)], [beta],
                                      [1 + 0.05 * i for i in range(21)])
        _, tau, _, fast = grid_search(t_ms, mhz, load, [tau * 1.25 ** (i / 4) for i in range(-4, 5)], [beta],
                                      [max(1.0, fast + 0.01 * i) for i in range(-5, 6)])
        beta = min((sum((train_clock(s, load, tau, b, fast) - m) ** 2 for s, m in trains), b)
                   for b in [0.25 * i for i in range(1, 49)])[1]
    err = grid_search(t_ms, mhz, load, [tau], [beta], [fast])[0]
    return err, tau, beta, fast


def power_dynamics(setv):
    """The controller's time constant and rested headroom from the clock of a
    fresh-operand FP8 wgmma stream stepped on after 3 s of idle GPU
    (hwbench --only power_dynamics; records h100-sxm/ubench_power_dynamics/*)."""
    path = ROOT / 'validate/data/h100-sxm/power_dynamics.jsonl'
    if not path.exists():
        return
    recs = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        assert r['role'] == 'calibration', r['id']
        recs[r['id']] = r
    rid = 'h100-sxm/ubench_power_dynamics/step_fp8'
    t_ms, mhz = recs[rid]['derived']['t_ms'], recs[rid]['derived']['sm_clock_mhz']
    # The settled clock: the mean from 2 s on (the controller oscillates about it
    # with a period of ~1.5 s, which the first-order model does not follow).
    tail = [f for t, f in zip(t_ms, mhz) if t >= 2000]
    f_settled = sum(tail) / len(tail)
    trains = []
    for rid_t, r in sorted(recs.items()):
        if '/train_on' not in rid_t:
            continue
        d = r['derived']
        measured = [f for t, f in zip(d['t_ms'], d['sm_clock_mhz']) if t >= 1000]
        trains.append((list(zip([bool(v) for v in d['schedule_load']], d['schedule_ms'])),
                       sum(measured) / len(measured)))
    err, tau, beta, fast = fit_dynamics(t_ms, mhz, f_settled, trains)
    rms = err ** 0.5
    train_ids = " ".join(rid_t for rid_t in sorted(recs) if '/train_on' in rid_t)
    how = (f"measured: {rid} and {train_ids} (the clock of a fresh-operand FP8 wgmma "
           f"stream on every SM, from clock64 / %globaltimer: stepped on after 3 s idle, it settles at a mean "
           f"{f_settled:.0f} MHz from 2 s on; and {len(trains)} 3 s trains of 1-10 ms of load with 1-10 ms idle "
           f"gaps); tau and the fast budget by least squares over the step's {len(t_ms)} bins (rms {rms:.0f} MHz), "
           f"the rested headroom by least squares over the trains' mean clocks; scripts/calibrate_h100.py")
    setv('power.response_tau_ms', f"{tau:.0f}", how)
    setv('power.rested_headroom', f"{beta:.2f}", how)
    setv('power.fast_budget', f"{fast:.2f}", how)
    # The wake-up latency: a one-CTA 200 us spin timed with CUDA events after
    # the host slept 0-1000 ms; the event time beyond the spin, less that of a
    # launch right behind another (idle 0), is what idle time adds. It includes
    # the host's own launch after its sleep, as any launch after idle does.
    wake = sorted((r['params']['idle_ms'], r['derived']['excess_us_median'], rid_w) for rid_w, r in recs.items()
                  if '/wake_idle' in rid_w)
    if wake:
        base = wake[0][1]
        assert wake[0][0] == 0, wake[0]
        # An excess within the spread of the back-to-back launch's own repetitions
        # (max - min) is not told apart from it: 0.
        first = recs[wake[0][2]]['measured']
        noise = first['time_us_max'] - first['time_us_min']
        setv('power.wake_idle_ms', '[' + ', '.join(f'{i:g}' for i, _, _ in wake) + ']',
             f"measured: {wake[0][2]} .. {wake[-1][2]} (idle times of the wake records)")
        setv('power.wake_latency_us',
             '[' + ', '.join(f'{e - base:.1f}' if e - base > noise else '0' for _, e, _ in wake) + ']',
             "measured: " + " ".join(w for _, _, w in wake) + f" (event time beyond a 200 us one-CTA spin after "
             f"each idle time, less the {base:.1f} us of a launch right behind another; an excess within that "
             f"launch's spread over its repetitions, {noise:.1f} us, is 0)")


if __name__ == '__main__':
    main()
