// SPDX-License-Identifier: MIT
#include "harness/one_shot.hpp"

#include <cstring>

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
    // Transfer usage too: working images are copied (beauty's output, presentation).
    auto b = gpu::Buffer::create(*device_, bytes,
                                 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                     VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                 use);
    if (!b)
        return std::unexpected(b.error());
    buffer = std::move(*b);
    return {};
}

Result<double> OneShot::run(const char* span, const std::function<Result<void>(VkCommandBuffer)>& record) {
    auto cmd = submitter_.begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    submitter_.beginSpan(span);
    auto recorded = record(*cmd);
    submitter_.endSpan();
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
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
    lastSpans_ = std::move(*spans);
    return lastSpans_.empty() ? 0.0 : lastSpans_.front().ms;
}

double OneShot::lastSpanMs(std::string_view name) const {
    for (const gpu::GpuSpan& s : lastSpans_)
        if (s.name == name)
            return s.ms;
    return 0;
}

Result<Nv12Buffer> OneShot::uploadNv12(gpu::Buffer& buffer, const Nv12View& frame) const {
    const size_t ySize = size_t(frame.yStride) * frame.height;
    const size_t uvOffset = (ySize + 7) & ~size_t(7); // stages read 8-byte units
    const size_t uvSize = size_t(frame.uvStride) * frame.chromaHeight();
    if (auto r = ensure(buffer, (uvOffset + uvSize + 7) & ~size_t(7), gpu::MemoryUse::Upload); !r)
        return std::unexpected(r.error());
    std::byte* up = buffer.mapped();
    std::memcpy(up, frame.y, ySize);
    std::memcpy(up + uvOffset, frame.uv, uvSize);
    buffer.flush();
    return Nv12Buffer{buffer.get(),   0, buffer.size(), frame.width, frame.height, frame.yStride, uint32_t(uvOffset),
                      frame.uvStride, frame.colorSpace};
}

Result<double> OneShot::runOnImage(const char* span, const RgbaImage& in, RgbaImage& out, bool inPlace,
                                   const ImageRecord& record) {
    const VkDeviceSize bytes = in.pixels.size();
    if (auto r = ensure(input_, bytes, gpu::MemoryUse::Upload); !r)
        return std::unexpected(r.error());
    if (auto r = ensure(output_, bytes, gpu::MemoryUse::Readback); !r)
        return std::unexpected(r.error());
    gpu::Buffer& source = inPlace ? output_ : input_;
    std::memcpy(source.mapped(), in.pixels.data(), bytes);
    source.flush();
    auto ms = run(span, [&](VkCommandBuffer cmd) {
        return record(cmd, {source.get(), 0, bytes}, {output_.get(), 0, bytes});
    });
    if (!ms)
        return ms;
    output_.invalidate();
    if (&out != &in)
        out = RgbaImage(in.width, in.height);
    std::memcpy(out.pixels.data(), output_.mapped(), bytes);
    return ms;
}

} // namespace rearview::stages
