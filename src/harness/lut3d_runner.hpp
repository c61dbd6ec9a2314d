// SPDX-License-Identifier: MIT
#pragma once

#include "stages/lut3d.hpp"
#include "harness/one_shot.hpp"

#include <rearview/image.hpp>

namespace rearview::stages {

/// Runs the Lut3d stage on an image in CPU memory: uploads it, records the stage (GPU-timed)
/// and reads the result back. For tests, benchmarks and stills; the viewfinder applies the
/// stage to its working image on the GPU.
class Lut3dRunner {
public:
    static Result<Lut3dRunner> create(gpu::Device& device);

    Result<void> setLut(const CubeLut& lut) { return stage_.setLut(lut); }
    /// Grades `in` into `out` (in's size). `inPlace` makes the stage read and write one buffer.
    Result<void> run(const RgbaImage& in, const LutParams& params, RgbaImage& out, bool inPlace = false);
    /// GPU time of the last run's stage (timestamp queries), in ms.
    double lastGpuMs() const { return lastGpuMs_; }

private:
    OneShot oneShot_;
    Lut3d stage_;
    double lastGpuMs_ = 0;
};

} // namespace rearview::stages
