// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "stages/nv12_to_rgba.hpp"

#include <rearview/image.hpp>

#include <functional>
#include <string_view>
#include <vector>

namespace rearview::stages {

/// What running a stage once on data in CPU memory takes, shared by the stage runners (for
/// tests, benchmarks and stills): buffers sized on demand, host-write -> compute ->
/// host-read barriers, a GPU-timed span around the stage, submit and wait.
class OneShot {
public:
    static Result<OneShot> create(gpu::Device& device);

    gpu::Device& device() const { return *device_; }
    /// Makes `buffer` a storage (and transfer source/destination) buffer of at least `bytes`
    /// (the previous run has completed).
    Result<void> ensure(gpu::Buffer& buffer, VkDeviceSize bytes, gpu::MemoryUse use) const;
    /// Records `record` in a span named `span`, submits, waits, and returns the span's GPU
    /// time in ms. A record error is returned after the (then empty) submission completes.
    Result<double> run(const char* span, const std::function<Result<void>(VkCommandBuffer)>& record);
    /// Where `record` may open spans of its own, nested in run()'s span.
    gpu::Submitter* spans() { return &submitter_; }
    /// GPU time in ms of the last run's span named `name`, 0 when it had none.
    double lastSpanMs(std::string_view name) const;

    /// For stages from one working image into another: uploads `in`, runs `record(cmd, src,
    /// dst)` (src == dst when `inPlace`), reads dst back into `out` (which may be `in`).
    using ImageRecord = std::function<Result<void>(VkCommandBuffer, VkDescriptorBufferInfo, VkDescriptorBufferInfo)>;
    Result<double> runOnImage(const char* span, const RgbaImage& in, RgbaImage& out, bool inPlace,
                              const ImageRecord& record);
    /// Copies `frame` into `buffer` (upload memory, sized on demand) with its strides, the
    /// CbCr plane right after the Y plane, and returns where it sits for a stage to read.
    Result<Nv12Buffer> uploadNv12(gpu::Buffer& buffer, const Nv12View& frame) const;

private:
    gpu::Device* device_ = nullptr;
    gpu::Submitter submitter_;
    std::vector<gpu::GpuSpan> lastSpans_;
    gpu::Buffer input_;  ///< runOnImage()'s source
    gpu::Buffer output_; ///< its destination (readback memory is host-writable: in place starts here)
};

} // namespace rearview::stages
