// SPDX-License-Identifier: MIT
#include "stages/one_shot.hpp"

namespace rearview::stages {

Result<OneShot> OneShot::create(gpu::Device& device) {
    auto submitter = gpu::Submitter::create(device, 1);
    if (!submitter)
        return std::unexpected(submitter.error());
    OneShot o;
    o.device_ = &device;
    o.submitter_ = std::move(*submitter);
    return o;
}

Result<void> OneShot::ensure(gpu::Buffer& buffer, VkDeviceSize bytes, gpu::MemoryUse use) const {
    if (buffer.get() && buffer.size() >= bytes)
        return {};
    auto b = gpu::Buffer::create(*device_, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, use);
    if (!b)
        return std::unexpected(b.error());
    buffer = std::move(*b);
    return {};
}

Result<double> OneShot::run(const char* span, const std::function<Result<void>(VkCommandBuffer)>& record) {
    auto cmd = submitter_.begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    submitter_.beginSpan(span);
    auto recorded = record(*cmd);
    submitter_.endSpan();
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = submitter_.submit(); // submitted even on a record error, so the slot is reusable
    if (!value)
        return std::unexpected(value.error());
    if (!recorded) {
        (void)device_->waitTimeline(*value);
        return std::unexpected(recorded.error());
    }
    auto spans = submitter_.spans(*value);
    if (!spans)
        return std::unexpected(spans.error());
    device_->collectGarbage();
    return spans->empty() ? 0.0 : spans->front().ms;
}

} // namespace rearview::stages
