#pragma once
// Factories of the kernel programs, one per file in this folder; the registry
// (workloads/kernel_registry.cpp) lists them.
#include "workloads/kernel_descriptor.hpp"

namespace hwsim::kernels {

KernelDef gemm_kernel();
KernelDef grouped_gemm_kernel();
KernelDef memcpy_kernel();
KernelDef elementwise_kernel();
KernelDef ep_comm_kernel();
KernelDef read_kernel();
KernelDef write_kernel();
KernelDef quant_1x128_kernel();
KernelDef quant_128x128_kernel();
KernelDef transpose_requant_kernel();
KernelDef transpose_kernel();
KernelDef swiglu_kernel();
KernelDef rmsnorm_kernel();
KernelDef attention_kernel();
KernelDef tma_read_kernel();

}  // namespace hwsim::kernels
