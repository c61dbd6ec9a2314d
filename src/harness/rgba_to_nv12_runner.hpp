// SPDX-License-Identifier: MIT
#pragma once

#include "harness/one_shot.hpp"
#include "stages/rgba_to_nv12.hpp"

#include <rearview/image.hpp>

namespace rearview::stages {

/// Runs RgbaToNv12 on an image in CPU memory into a RecordScale::outputLayout() frame and
/// reads it back. For tests and benchmarks.
class RgbaToNv12Runner {
public:
    static Result<RgbaToNv12Runner> create(gpu::Device& device);

    /// Converts `in` (even size) into `out` in colour space `cs`.
    Result<void> run(const RgbaImage& in, ColorSpace cs, Nv12Image& out);
    double lastGpuMs() const { return lastGpuMs_; }

private:
    OneShot oneShot_;
    RgbaToNv12 stage_;
    gpu::Buffer input_;
    gpu::Buffer output_;
    double lastGpuMs_ = 0;
};

} // namespace rearview::stages
