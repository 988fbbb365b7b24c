#pragma once
// The roofline chart: simulated kernels placed by arithmetic intensity (FLOPs
// per HBM byte) and achieved FLOP/s under the ceilings computed from the GPU
// description (models/spec/roofline.hpp), never typed in.
#include <span>
#include <string>

#include "reports/report_model.hpp"

namespace hwsim::reports {

// The study's baseline kernels, plus any `hwsim run --json` results for the
// same GPU. The GPU description is the study's preset with the GPU keys of
// its resolved config applied.
Chart study_roofline_chart(const ResultFile& study, std::span<const ResultFile> kernels, const std::string& suffix,
                           const std::string& config_line);

// Kernel results alone (no study), one chart per GPU.
std::vector<Chart> kernel_roofline_charts(std::span<const ResultFile> kernels);

}  // namespace hwsim::reports
