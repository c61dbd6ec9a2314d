// SPDX-License-Identifier: MIT
#pragma once

#include "stages/beauty.hpp"
#include "harness/one_shot.hpp"

#include <rearview/image.hpp>

namespace rearview::stages {

/// Runs the Beauty stage on an image in CPU memory: uploads it, records the stage (GPU-timed)
/// and reads the result back. For tests, benchmarks and stills; the viewfinder applies the
/// stage to its working image on the GPU.
class BeautyRunner {
public:
    static Result<BeautyRunner> create(gpu::Device& device);

    /// Applies beauty to `in` into `out` (in's size) with `params` and `faces`.
    Result<void> run(const RgbaImage& in, const BeautyParams& params, std::span<const analysis::FaceBox> faces,
                     RgbaImage& out);
    /// GPU time of the last run's stage (timestamp queries), in ms.
    double lastGpuMs() const { return lastGpuMs_; }

private:
    OneShot oneShot_;
    Beauty stage_; ///< recreated when the image size changes
    double lastGpuMs_ = 0;
};

} // namespace rearview::stages
