// SPDX-License-Identifier: MIT
#pragma once

#include "harness/one_shot.hpp"
#include "stages/record_scale.hpp"

#include <rearview/image.hpp>

namespace rearview::stages {

/// Runs RecordScale on a frame in CPU memory: uploads it with its strides, records the stage
/// (GPU-timed) into a RecordScale::outputLayout() buffer, and reads the NV12 frame back. For
/// tests and benchmarks; the record branch imports its frames instead of uploading.
class RecordScaleRunner {
public:
    static Result<RecordScaleRunner> create(gpu::Device& device);

    /// Crops/scales `frame` per `plan` into `out` (plan's size, the layout's stride, the
    /// frame's colour space).
    Result<void> run(const Nv12View& frame, const RecordPlan& plan, Nv12Image& out);
    /// GPU time of the last run's stage (timestamp queries), in ms.
    double lastGpuMs() const { return lastGpuMs_; }

private:
    OneShot oneShot_;
    RecordScale stage_;
    gpu::Buffer upload_;
    gpu::Buffer output_;
    double lastGpuMs_ = 0;
};

/// Copies an NV12 frame laid out as RecordScale::outputLayout(`width`, `height`) out of
/// readback memory `buffer` (after its writes completed) into `out`.
void readNv12(gpu::Buffer& buffer, uint32_t width, uint32_t height, ColorSpace colorSpace, Nv12Image& out);

} // namespace rearview::stages
