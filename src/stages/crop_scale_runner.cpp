// SPDX-License-Identifier: MIT
#include "stages/crop_scale_runner.hpp"

#include <cstring>

namespace rearview::stages {

Result<CropScaleRunner> CropScaleRunner::create(gpu::Device& device) {
    CropScaleRunner r;
    r.device_ = &device;
    auto stage = CropScale::create(device);
    if (!stage)
        return std::unexpected(stage.error());
    r.stage_ = std::move(*stage);
    auto submitter = gpu::Submitter::create(device, 1);
    if (!submitter)
        return std::unexpected(submitter.error());
    r.submitter_ = std::move(*submitter);
    return r;
}

namespace {

Result<void> ensure(gpu::Device& device, gpu::Buffer& buffer, VkDeviceSize bytes, gpu::MemoryUse use) {
    if (buffer.get() && buffer.size() >= bytes)
        return {};
    auto b = gpu::Buffer::create(device, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, use);
    if (!b)
        return std::unexpected(b.error());
    buffer = std::move(*b); // the previous submission has completed: run() waits for it
    return {};
}

} // namespace

Result<void> CropScaleRunner::run(const Nv12View& frame, const CropPlan& plan, RgbaImage& out) {
    const size_t ySize = size_t(frame.yStride) * frame.height;
    const size_t uvOffset = (ySize + 3) & ~size_t(3);
    const size_t total = uvOffset + size_t(frame.uvStride) * frame.chromaHeight();
    if (auto r = ensure(*device_, upload_, (total + 3) & ~size_t(3), gpu::MemoryUse::Upload); !r)
        return r;
    const VkDeviceSize outBytes = VkDeviceSize(plan.panelWidth) * plan.panelHeight * 4;
    if (auto r = ensure(*device_, output_, outBytes, gpu::MemoryUse::Readback); !r)
        return r;
    std::byte* up = upload_.mapped();
    std::memcpy(up, frame.y, ySize);
    std::memcpy(up + uvOffset, frame.uv, size_t(frame.uvStride) * frame.chromaHeight());
    upload_.flush();

    auto cmd = submitter_.begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    submitter_.beginSpan("crop_scale");
    const Nv12Buffer in{upload_.get(), 0,          upload_.size(),  frame.width,        frame.height,
                        frame.yStride, uint32_t(uvOffset), frame.uvStride, frame.colorSpace};
    auto recorded = stage_.record(*cmd, in, plan, {output_.get(), 0, outBytes});
    submitter_.endSpan();
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = submitter_.submit(); // submitted even on a record error, so the slot is reusable
    if (!value)
        return std::unexpected(value.error());
    if (!recorded) {
        (void)device_->waitTimeline(*value);
        return recorded;
    }
    auto spans = submitter_.spans(*value);
    if (!spans)
        return std::unexpected(spans.error());
    lastGpuMs_ = spans->empty() ? 0.0 : spans->front().ms;
    device_->collectGarbage();

    output_.invalidate();
    out = RgbaImage(plan.panelWidth, plan.panelHeight);
    std::memcpy(out.pixels.data(), output_.mapped(), out.pixels.size());
    return {};
}

} // namespace rearview::stages
