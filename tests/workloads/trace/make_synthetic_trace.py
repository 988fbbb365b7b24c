#!/usr/bin/env python3
"""Writes a synthetic Kineto trace of N GPU kernels (GEMMs, element-wise ops, cuDNN attention) in steps of
1,000, with the args a real trace carries, to measure hwsim trace predict's speed and memory (docs/traces.md,
"Speed"). usage: make_synthetic_trace.py N OUT.json[.gz]"""
import gzip
import json
import random
import sys

n_kernels = int(sys.argv[1]); out = sys.argv[2]
B = "c10::BFloat16"
random.seed(1)
f = gzip.open(out, "wt", compresslevel=1) if out.endswith(".gz") else open(out, "w")
f.write('{"deviceProperties":[{"id":0,"name":"NVIDIA H100 80GB HBM3"}],"traceEvents":[\n')
first = True
def emit(e):
    global first
    f.write(("" if first else ",\n") + json.dumps(e)); first = False
ts = 0.0; gts = 0.0; corr = 0; ext = 0
shapes = [(4096, 7168, 2048), (4096, 2048, 7168), (4096, 1536, 7168), (8192, 4096, 4096), (1024, 512, 1024)]
per_step = 1000
steps = n_kernels // per_step
for s in range(steps):
    emit({"ph":"X","cat":"user_annotation","name":f"ProfilerStep#{s}","pid":1,"tid":1,"ts":ts,"dur":per_step*12.0,"args":{}})
    for i in range(per_step):
        kind = i % 4
        ext += 1; corr += 1
        if kind == 0:
            m, n, k = shapes[i % len(shapes)]
            args = {"External id": ext, "Input Dims": [[n], [m, k], [k, n], [], []], "Input type": [B, B, B, "Scalar", "Scalar"],
                    "Input Strides": [[1], [k, 1], [1, k], [], []], "Concrete Inputs": ["", "", "", "1", "1"], "Sequence number": ext, "Fwd thread id": 0}
            name = "aten::addmm"; kname = "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize2x1x1_execute_segment_k_off_kernel__5x_cublas"; dur = 50.0
        elif kind == 1:
            args = {"External id": ext, "Input Dims": [[4096, 7168]], "Input type": [B], "Input Strides": [[7168, 1]], "Concrete Inputs": [""]}
            name = "aten::silu"; kname = "void at::native::vectorized_elementwise_kernel<4, at::native::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}::operator()() const>(int, float, char*)"; dur = 30.0
        elif kind == 2:
            args = {"External id": ext, "Input Dims": [[4096, 7168], [4096, 7168]], "Input type": [B, B], "Input Strides": [[7168, 1], [7168, 1]], "Concrete Inputs": ["", ""]}
            name = "aten::mul"; kname = "void at::native::elementwise_kernel<128, 2>(int, at::native::gpu_kernel_impl)"; dur = 40.0
        else:
            args = {"External id": ext, "Input Dims": [[1, 128, 4096, 192], [1, 128, 4096, 192], [1, 128, 4096, 128], [], [], [], [], [], []],
                    "Input type": [B, B, B, "", "Scalar", "Scalar", "Scalar", "Scalar", ""], "Concrete Inputs": ["", "", "", "", "True", "0.", "True", "False", ""]}
            name = "aten::_scaled_dot_product_cudnn_attention"; kname = "cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_3_64x64x128_4x1x1_kernel0_0"; dur = 900.0
        emit({"ph":"X","cat":"cpu_op","name":name,"pid":1,"tid":1,"ts":ts,"dur":8.0,"args":args})
        emit({"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":ts+1,"dur":5.0,"args":{"External id":ext,"correlation":corr,"cbid":211}})
        emit({"ph":"f","id":corr,"pid":0,"tid":7,"ts":gts,"cat":"ac2g","name":"ac2g","bp":"e"})
        gts = max(gts, ts + 6)
        emit({"ph":"X","cat":"kernel","name":kname,"pid":0,"tid":7,"ts":gts,"dur":dur,"args":{"External id":ext,"queued":0,"device":0,"context":1,"stream":7,"correlation":corr,"registers per thread":168,"shared memory":200000,"blocks per SM":1,"warps per SM":12,"grid":[132,1,1],"block":[384,1,1],"est. achieved occupancy %":0}})
        gts += dur + 1
        ts += 12
    corr += 1
    emit({"ph":"X","cat":"cuda_runtime","name":"cudaDeviceSynchronize","pid":1,"tid":1,"ts":ts,"dur":max(1.0, gts-ts+2),"args":{"correlation":corr}})
    ts = max(ts, gts) + 10
f.write("\n]}\n")
f.close()
