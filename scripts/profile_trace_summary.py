#!/usr/bin/env python3
"""Summarises a PyTorch-profiler (Chrome trace JSON) GPU trace of one
overlapped forward+backward chunk pair into the validation record
validate/data/deepseek-profile/train_fb_pair.json.

    profile_trace_summary.py TRACE --out FILE     write the summary ('-': stdout)
    profile_trace_summary.py TRACE --check [FILE] re-derive and compare with FILE
                                                  (default: the committed record)

Exit status: 0 ok, 1 the re-derived summary differs from FILE, 2 unusable input.
Standard library only, so that anyone holding the public trace can re-derive
the committed numbers without installing anything. The categorisation rules
are the CATEGORY_RULES table below; validate/data/deepseek-profile/README.md
explains them and the record's fields.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / 'validate/data/deepseek-profile/train_fb_pair.json'
SCHEMA = 'hwsim.profile_trace_summary/1'

# Stream roles in DeepSeek's trace (its "stream N" thread names): 7 runs the
# compute kernels, 23 a second compute stream that takes some weight-gradient
# GEMMs so they overlap stream 7, 27 the DeepEP communication kernels. The
# compute side is the union of 7 and 23: summing them would count the
# overlapped Wgrad GEMMs twice.
COMPUTE_STREAMS = (7, 23)
COMM_STREAMS = (27,)
# DeepSeek's README: each chunk of the pair holds 4 MoE layers.
LAYERS = 4
GPU_CATS = ('kernel', 'gpu_memcpy', 'gpu_memset')
# Grids of the dense (non-grouped) FP8 GEMMs in the trace: one CTA per SM of
# 112 (the 132 SMs less the 20 DeepEP keeps), launched either as 112x1 or as
# 2x56 (a two-CTA cluster dimension).
DENSE_GEMM_GRIDS = ((112, 1, 1), (2, 56, 1))
TOP_GAPS = 10
# Gap histogram bucket lower bounds, microseconds.
GAP_BUCKETS = (0, 5, 20, 100, 1000)

# Traces whose origin is known, by git blob id (what `git hash-object` prints),
# so that provenance is only claimed for the exact bytes it describes.
KNOWN_TRACES = {
    '7a8f40f9626fdcabccfe12787b2148b1e4b8e282': {
        'repository': 'https://github.com/deepseek-ai/profile-data',
        'file': 'train.json',
        'commit': '449602428a1b023acb8a505d4f34fef536535db6',
        'readme_quotes': [
            'Notice that we simulate an absolutely balanced MoE routing strategy for profiling.',
            'The training profile data demonstrates our overlapping strategy for a pair of individual forward '
            'and backward chunks in [DualPipe](https://github.com/deepseek-ai/dualpipe). Each chunk contains 4 MoE '
            '(Mixture of Experts) layers.',
            'The parallel configuration aligns with DeepSeek-V3 pretraining settings: EP64, TP1 with 4K sequence '
            'length. And the PP communication is not included during profiling for simplicity.',
        ],
        'readme_facts': {
            'contents': 'a pair of individual forward and backward chunks in DualPipe, overlapped',
            'moe_layers_per_chunk': 4,
            'expert_parallelism': 64,
            'tensor_parallelism': 1,
            'sequence_length': 4096,
            'pp_communication_included': False,
            'moe_routing': 'absolutely balanced (simulated)',
        },
    },
}


class TraceError(Exception):
    pass


def r3(x):
    # Trace times are integer or fractional microseconds; three decimals keep
    # nanoseconds and make the output independent of float summation noise.
    return round(float(x), 3)


# ---------------------------------------------------------------- categories
def function_name(name):
    """The kernel's unqualified function name: 'void ns::f<...>(...)' -> 'f'."""
    n = name[5:] if name.startswith('void ') else name
    n = re.split(r'[<(]', n, maxsplit=1)[0]
    return n.rsplit('::', 1)[-1]


def _fp8_gemm(ev):
    return 'cutlass::device_kernel<' in ev['name'] and 'grouped_gemm' in ev['name']


def _grid(ev):
    return tuple(ev['args'].get('grid') or ())


def _at_native(ev):
    # Mangled names (e.g. the normal-distribution generator) keep the
    # namespace as '2at6native'.
    return 'at::native' in ev['name'] or ev['name'].startswith('_ZN2at6native')


# First match wins; the order matters where names overlap: fused SwiGLU+cast
# kernels count as SwiGLU, 'per_channel_cast_and_transpose' as a cast, PyTorch
# copy kernels as copies rather than generic at::native work, and the
# FlashAttention backward pre/post-processing before the backward itself.
CATEGORY_RULES = (
    ('memcpy_memset', 'cat gpu_memcpy or gpu_memset',
     lambda ev, fn: ev['cat'] in ('gpu_memcpy', 'gpu_memset')),
    ('fp8_gemm_m_grouped', 'cutlass::device_kernel<...grouped_gemm...> with m_grouped in the name',
     lambda ev, fn: _fp8_gemm(ev) and 'm_grouped' in ev['name']),
    ('fp8_gemm_k_grouped', 'cutlass::device_kernel<...grouped_gemm...> with k_grouped in the name',
     lambda ev, fn: _fp8_gemm(ev) and 'k_grouped' in ev['name']),
    ('fp8_gemm_dense', 'cutlass::device_kernel<...grouped_gemm...>, not m/k-grouped, grid 112x1x1 or 2x56x1',
     lambda ev, fn: _fp8_gemm(ev) and _grid(ev) in DENSE_GEMM_GRIDS),
    ('fp8_gemm_other', 'cutlass::device_kernel<...grouped_gemm...> with any other grid',
     lambda ev, fn: _fp8_gemm(ev)),
    ('bf16_gemm_cublas', 'cuBLAS sm90_xmma_gemm* kernels',
     lambda ev, fn: 'sm90_xmma_gemm' in ev['name']),
    ('flash_attn_bwd_preprocess', 'flash::FlashAttnBwdPreprocess',
     lambda ev, fn: 'FlashAttnBwdPreprocess' in ev['name']),
    ('flash_attn_bwd_postprocess', 'flash::FlashAttnBwdPostprocess*',
     lambda ev, fn: 'FlashAttnBwdPostprocess' in ev['name']),
    ('flash_attn_bwd', 'flash::FlashAttnBwd<',
     lambda ev, fn: 'flash::FlashAttnBwd<' in ev['name']),
    ('flash_attn_fwd', 'flash::compute_attn_ws / Flash_fwd*',
     lambda ev, fn: 'flash::compute_attn' in ev['name'] or 'Flash_fwd' in ev['name']),
    ('deepep_dispatch', 'dpsk::ep::internode::dispatch<',
     lambda ev, fn: 'dpsk::ep::internode::dispatch<' in ev['name']),
    ('deepep_combine', 'dpsk::ep::internode::combine<',
     lambda ev, fn: 'dpsk::ep::internode::combine<' in ev['name']),
    ('deepep_notify', 'dpsk::ep:: notify_dispatch, cached_notify, get_dispatch_layout',
     lambda ev, fn: 'dpsk::ep::' in ev['name']
     and fn in ('notify_dispatch', 'cached_notify', 'get_dispatch_layout')),
    ('swiglu', "function name contains 'swiglu' (includes SwiGLU fused with an FP8 cast)",
     lambda ev, fn: 'swiglu' in fn),
    ('fp8_cast', 'function name starts per_token_cast / per_channel_cast or contains cast_back',
     lambda ev, fn: fn.startswith(('per_token_cast', 'per_channel_cast')) or 'cast_back' in fn),
    ('transpose', "function name contains 'transpose' (byte transposes of FP8 data)",
     lambda ev, fn: 'transpose' in fn),
    ('permutation', 'expand_to_fused*, reduce_fused*, get_fused_mapping, clean_and_count_expert',
     lambda ev, fn: fn.startswith(('expand_to_fused', 'reduce_fused', 'get_fused_mapping',
                                   'clean_and_count_expert'))),
    ('layer_norm', 'layer_norm:: namespace (ln_fwd / ln_bwd / ln_bwd_finalize kernels)',
     lambda ev, fn: 'layer_norm::' in ev['name']),
    ('rotary', "function name contains 'rotary'",
     lambda ev, fn: 'rotary' in fn),
    ('copy', '_copy_tensor_kernel and at::native kernels of direct_copy_kernel_cuda',
     lambda ev, fn: fn == '_copy_tensor_kernel' or (_at_native(ev) and 'direct_copy_kernel' in ev['name'])),
    ('gating', "DeepSeek's own gating kernels: topk_sum_and_topk_idx, unique_group_indices*, aux_fi*",
     lambda ev, fn: fn.startswith(('topk_sum_and_topk_idx', 'unique_group_indices', 'aux_fi'))),
    ('at_native_other', 'any other at::native kernel (elementwise, reductions, top-k, scatter/gather, RNG)',
     lambda ev, fn: _at_native(ev)),
    ('other', 'everything else',
     lambda ev, fn: True),
)
CATEGORIES = tuple(c for c, _, _ in CATEGORY_RULES)


def categorize(ev):
    fn = function_name(ev['name'])
    for cat, _, rule in CATEGORY_RULES:
        if rule(ev, fn):
            return cat
    raise AssertionError('unreachable: the last rule matches everything')


def gemm_variant(ev):
    """'<kernel> grid AxBxC stream S' for the GEMM breakdown: the GemmKernel's
    namespace for DeepSeek's FP8 kernels (e.g. fp8_dptp128c_acc), the function
    name for cuBLAS."""
    m = re.search(r'grouped_gemm::cuda::(\w+)::GemmKernel', ev['name'])
    kernel = m.group(1) if m else function_name(ev['name'])
    grid = 'x'.join(str(g) for g in _grid(ev))
    return f"{kernel} grid {grid} stream {ev['args'].get('stream')}"


# ---------------------------------------------------------------- intervals
def union(intervals):
    out = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def length(iv):
    return sum(e - s for s, e in iv)


def intersect_length(iv, s, e):
    return sum(max(0, min(b, e) - max(a, s)) for a, b in iv)


def intersect(a, b):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append([s, e])
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def stats(durs):
    return {'count': len(durs), 'total_us': r3(sum(durs)), 'mean_us': r3(sum(durs) / len(durs)) if durs else 0,
            'min_us': r3(min(durs)) if durs else 0, 'max_us': r3(max(durs)) if durs else 0}


# ---------------------------------------------------------------- loading
def load(path):
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise TraceError(f'{path}: cannot read: {e.strerror}')
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise TraceError(f'{path}: not a Chrome trace (not JSON: {e})')
    # The Chrome trace format is either {"traceEvents": [...], ...} or a bare
    # array of events.
    events = doc.get('traceEvents') if isinstance(doc, dict) else doc
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise TraceError(f'{path}: not a Chrome trace (no traceEvents list of event objects)')
    gpu = []
    for e in events:
        if e.get('cat') in GPU_CATS and e.get('ph') == 'X':
            if not isinstance(e.get('args'), dict) or 'stream' not in e['args'] or 'dur' not in e or 'ts' not in e:
                raise TraceError(f'{path}: GPU event {e.get("name")!r} lacks ts, dur or args.stream')
            gpu.append(e)
    if not gpu:
        raise TraceError(f'{path}: Chrome trace without GPU events (cat kernel/gpu_memcpy/gpu_memset)')
    devices = sorted({e['args'].get('device', 0) for e in gpu})
    if len(devices) != 1:
        raise TraceError(f'{path}: GPU events of devices {devices}; the summary covers one GPU')
    blob = hashlib.sha1(b'blob %d\0' % len(raw) + raw).hexdigest()
    return (doc if isinstance(doc, dict) else {}), events, gpu, devices[0], blob


# ---------------------------------------------------------------- summary
def phase_labels(events, gpu):
    """Each GPU event's phase: the innermost CPU user annotation (DualPipe's
    'attn(F)', 'mlp(W)', 'dispatch(B)', ...) enclosing the runtime call that
    launched it, matched through the shared correlation id."""
    launch_ts = {}
    for e in events:
        if e.get('cat') in ('cuda_runtime', 'cuda_driver') and isinstance(e.get('args'), dict):
            c = e['args'].get('correlation')
            if c is not None:
                launch_ts.setdefault(c, e['ts'])
    ann = sorted(((e['ts'], e['ts'] + e.get('dur', 0), e['name']) for e in events
                  if e.get('cat') == 'user_annotation' and e.get('ph') == 'X'),
                 key=lambda a: (a[1] - a[0], a[0], a[2]))
    labels = []
    for k in gpu:
        ts = launch_ts.get(k['args'].get('correlation'))
        label = '(unattributed)'
        if ts is not None:
            for s, e, name in ann:  # shortest first: the first hit is the innermost
                if s <= ts <= e:
                    label = name
                    break
        labels.append(label)
    return labels


def summarize(doc, events, gpu, device, blob, layers):
    gpu = sorted(gpu, key=lambda e: (e['ts'], e['args']['stream'], e['name']))
    t0 = min(e['ts'] for e in gpu)
    t1 = max(e['ts'] + e['dur'] for e in gpu)
    span = t1 - t0
    by_stream = {}
    for e in gpu:
        by_stream.setdefault(e['args']['stream'], []).append((e['ts'], e['ts'] + e['dur']))
    streams = {str(s): {'busy_us': r3(length(union(iv))), 'kernel_sum_us': r3(sum(b - a for a, b in iv)),
                        'events': len(iv)} for s, iv in sorted(by_stream.items())}
    compute = union([iv for s in COMPUTE_STREAMS for iv in by_stream.get(s, [])])
    comm = union([iv for s in COMM_STREAMS for iv in by_stream.get(s, [])])
    everything = union([iv for ivs in by_stream.values() for iv in ivs])
    both = intersect(compute, comm)

    # Idle time of the compute side inside the span: before its first kernel,
    # between its kernels, after its last one.
    gaps = []
    edges = [(t0, t0)] + [tuple(iv) for iv in compute] + [(t1, t1)]
    for (_, a), (b, _) in zip(edges, edges[1:]):
        if b > a:
            gaps.append((a, b))
    hist = []
    for i, lo in enumerate(GAP_BUCKETS):
        hi = GAP_BUCKETS[i + 1] if i + 1 < len(GAP_BUCKETS) else None
        sel = [b - a for a, b in gaps if b - a >= lo and (hi is None or b - a < hi)]
        hist.append({'from_us': lo, 'to_us': hi, 'count': len(sel), 'total_us': r3(sum(sel))})
    top = sorted(gaps, key=lambda g: (-(g[1] - g[0]), g[0]))[:TOP_GAPS]
    idle = {
        'total_us': r3(length(gaps)),
        'count': len(gaps),
        'leading_us': r3(compute[0][0] - t0) if compute else r3(span),
        'trailing_us': r3(t1 - compute[-1][1]) if compute else 0,
        'histogram': hist,
        'largest': [{'start_offset_us': r3(a - t0), 'duration_us': r3(b - a),
                     'comm_busy_us': r3(intersect_length(comm, a, b))} for a, b in top],
    }

    cats = {c: {'durs': [], 'by_stream': {}} for c in CATEGORIES}
    gemm = {}
    labels = phase_labels(events, gpu)
    phases = {}
    for e, label in zip(gpu, labels):
        c = categorize(e)
        d = e['dur']
        cats[c]['durs'].append(d)
        st = str(e['args']['stream'])
        cats[c]['by_stream'][st] = cats[c]['by_stream'].get(st, 0) + d
        if c.startswith(('fp8_gemm', 'bf16_gemm')):
            gemm.setdefault(gemm_variant(e), []).append(d)
        p = phases.setdefault(label, {'durs': [], 'by_category': {}, 'by_stream': {}})
        p['durs'].append(d)
        p['by_category'][c] = p['by_category'].get(c, 0) + d
        p['by_stream'][st] = p['by_stream'].get(st, 0) + d
    categories = {}
    for c, rule_text, _ in CATEGORY_RULES:
        durs = cats[c]['durs']
        categories[c] = {'rule': rule_text, 'count': len(durs), 'total_us': r3(sum(durs)),
                         'mean_us': r3(sum(durs) / len(durs)) if durs else 0,
                         'per_layer_us': r3(sum(durs) / layers),
                         'by_stream_us': {s: r3(v) for s, v in cats[c]['by_stream'].items()}}

    def kernel_list(cat):
        sel = [(e, lab) for e, lab in zip(gpu, labels) if categorize(e) == cat]
        out = stats([e['dur'] for e, _ in sel])
        # The template arguments tell DeepEP's variants apart (the third of
        # internode::dispatch is the cached-layout mode); the phase says which
        # DualPipe operation launched the kernel.
        out['kernels'] = [{'start_offset_us': r3(e['ts'] - t0), 'duration_us': r3(e['dur']), 'phase': lab,
                           'template_args': (re.search(r'<([^()]*?)>\(', e['name']) or [None, ''])[1]}
                          for e, lab in sel]
        return out

    summary = {
        'schema': SCHEMA,
        'role': 'validation',
        'provenance': provenance(doc, device, blob),
        'layers': layers,
        'streams_roles': {'compute': list(COMPUTE_STREAMS), 'communication': list(COMM_STREAMS)},
        'span_us': r3(span),
        'span_per_layer_us': r3(span / layers),
        'streams': streams,
        'compute_busy_us': r3(length(compute)),
        'compute_busy_per_layer_us': r3(length(compute) / layers),
        'comm_busy_us': r3(length(comm)),
        'comm_busy_per_layer_us': r3(length(comm) / layers),
        'any_stream_busy_us': r3(length(everything)),
        'compute_streams_overlap_us': r3(sum(length(union(by_stream.get(s, []))) for s in COMPUTE_STREAMS)
                                         - length(compute)),
        'compute_and_comm_overlap_us': r3(length(both)),
        'comm_exposed_us': r3(length(comm) - length(both)),
        'compute_idle': idle,
        'categories': categories,
        'gemm_variants': {k: stats(v) for k, v in gemm.items()},
        'phases': {lab: {'count': len(p['durs']), 'kernel_sum_us': r3(sum(p['durs'])),
                         'per_layer_us': r3(sum(p['durs']) / layers),
                         'by_category_us': {c: r3(v) for c, v in p['by_category'].items()},
                         'by_stream_us': {s: r3(v) for s, v in p['by_stream'].items()}}
                   for lab, p in phases.items()},
        'deepep_dispatch': kernel_list('deepep_dispatch'),
        'deepep_combine': kernel_list('deepep_combine'),
        'flash_attn_fwd': stats(cats['flash_attn_fwd']['durs']),
        'flash_attn_bwd': stats(cats['flash_attn_bwd']['durs']),
    }
    return summary


def provenance(doc, device, blob):
    props = [p for p in doc.get('deviceProperties') or [] if isinstance(p, dict)]
    mine = next((p for p in props if p.get('id') == device), {})
    keep = ('name', 'numSms', 'computeMajor', 'computeMinor', 'totalGlobalMem', 'sharedMemPerMultiprocessor',
            'sharedMemPerBlockOptin', 'regsPerMultiprocessor', 'maxThreadsPerMultiprocessor')
    p = {
        'trace_git_blob': blob,
        'trace_name': doc.get('traceName'),
        'distributed_info': doc.get('distributedInfo'),
        'device': dict({k: mine[k] for k in keep if k in mine}, id=device),
        'devices_listed': len(props),
        'use': ('validation only: these numbers are compared with the model and never used to calibrate or '
                'set any model parameter'),
    }
    known = KNOWN_TRACES.get(blob)
    if known:
        p.update(source=known)
    else:
        p['source'] = 'unknown: this trace is not the one whose origin the script records'
    return p


# ---------------------------------------------------------------- output
def render(summary):
    return json.dumps(summary, indent=1, sort_keys=True) + '\n'


def write_atomic(path, text):
    # A reader (or a crash) never sees a half-written record: write a sibling
    # temporary file and rename it over the target.
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + '.tmp.', dir=path.parent)
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def differences(a, b, where=''):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f'{where}/{k}: only in {"committed" if k in b else "re-derived"}'
            else:
                yield from differences(a[k], b[k], f'{where}/{k}')
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f'{where}[{i}]')
    elif a != b:
        yield f'{where or "/"}: re-derived {json.dumps(a)[:80]} != committed {json.dumps(b)[:80]}'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('trace', help='Chrome trace JSON (PyTorch profiler export)')
    ap.add_argument('--out', help="where to write the summary JSON ('-' for stdout)")
    ap.add_argument('--check', nargs='?', const=str(COMMITTED), metavar='FILE',
                    help='re-derive and compare with FILE (default: the committed record); exit 1 on difference')
    ap.add_argument('--layers', type=int, default=LAYERS, help='MoE layers per chunk (per-layer = total / this)')
    a = ap.parse_args(argv)
    if (a.out is None) == (a.check is None):
        ap.error('give exactly one of --out and --check')
    if a.layers <= 0:
        ap.error('--layers must be > 0')
    try:
        summary = summarize(*load(a.trace), layers=a.layers)
    except TraceError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    text = render(summary)
    if a.check is not None:
        try:
            committed = json.loads(Path(a.check).read_text())
        except (OSError, ValueError) as e:
            print(f'error: {a.check}: cannot read the record to check against: {e}', file=sys.stderr)
            return 2
        diff = list(differences(json.loads(text), committed))
        if diff:
            print(f'{a.check}: {len(diff)} difference(s) from the summary of {a.trace}:', file=sys.stderr)
            for d in diff[:20]:
                print('  ' + d, file=sys.stderr)
            return 1
        print(f'{a.check}: matches the summary of {a.trace}')
        return 0
    if a.out == '-':
        sys.stdout.write(text)
    else:
        write_atomic(a.out, text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
