// SPDX-License-Identifier: MIT
#pragma once

#include "stages/crop_scale.hpp"
#include "harness/one_shot.hpp"

#include <rearview/image.hpp>

namespace rearview::stages {

/// Runs CropScale on a frame in CPU memory: uploads it with its strides, records the stage
/// (GPU-timed), and reads the working image back. For tests, benchmarks and stills; the
/// capture path imports its buffers instead of uploading.
class CropScaleRunner {
public:
    static Result<CropScaleRunner> create(gpu::Device& device);

    /// Crops/scales `frame` per `plan` into `out` (plan's panel size).
    Result<void> run(const Nv12View& frame, const CropPlan& plan, RgbaImage& out);
    /// GPU time of the last run's stage (timestamp queries), in ms.
    double lastGpuMs() const { return lastGpuMs_; }
    /// GPU time of each pass of the last run's area downscale, in ms (0 for bilinear).
    struct PassMs {
        double vertical = 0, horizontal = 0;
    };
    PassMs lastPassMs() const { return lastPasses_; }

private:
    OneShot oneShot_;
    CropScale stage_;
    gpu::Buffer upload_;
    gpu::Buffer output_;
    double lastGpuMs_ = 0;
    PassMs lastPasses_;
};

} // namespace rearview::stages
