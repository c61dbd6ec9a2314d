// SPDX-License-Identifier: MIT
// The public one-shot converter: upload, convert on the GPU, read back.
#include "gpu/buffer.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "gpu/submitter.hpp"
#include "stages/nv12_to_rgba.hpp"

#include <rearview/color_convert.hpp>

#include <cstring>
#include <format>

namespace rearview {

struct [[gnu::visibility("hidden")]] Nv12ToRgbaConverter::Impl {
    gpu::Device* device = nullptr;
    uint32_t width = 0, height = 0, stride = 0;
    stages::Nv12ToRgba stage;
    gpu::Submitter submitter;
    gpu::Buffer upload;
    gpu::Buffer output;
    double lastGpuMs = 0;
};

Result<Nv12ToRgbaConverter> Nv12ToRgbaConverter::create(GpuContext& gpu, uint32_t width, uint32_t height,
                                                        uint32_t stride) {
    if (width == 0 || height == 0)
        return fail(ErrorCode::InvalidArgument, std::format("frame size {}x{} is empty", width, height));
    if (stride < ((width + 1) & ~1u))
        return fail(ErrorCode::InvalidArgument,
                    std::format("stride {} is smaller than the NV12 row of a {}-pixel-wide frame", stride, width));
    auto impl = std::make_unique<Impl>();
    impl->device = &deviceOf(gpu);
    impl->width = width;
    impl->height = height;
    impl->stride = stride;
    auto stage = stages::Nv12ToRgba::create(*impl->device);
    if (!stage)
        return std::unexpected(stage.error());
    impl->stage = std::move(*stage);
    auto submitter = gpu::Submitter::create(*impl->device, 1);
    if (!submitter)
        return std::unexpected(submitter.error());
    impl->submitter = std::move(*submitter);
    const VkDeviceSize inBytes = VkDeviceSize(stride) * (height + (height + 1) / 2);
    auto upload = gpu::Buffer::create(*impl->device, (inBytes + 3) & ~VkDeviceSize(3),
                                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Upload);
    if (!upload)
        return std::unexpected(upload.error());
    impl->upload = std::move(*upload);
    auto output = gpu::Buffer::create(*impl->device, VkDeviceSize(width) * height * 4,
                                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Readback);
    if (!output)
        return std::unexpected(output.error());
    impl->output = std::move(*output);
    return Nv12ToRgbaConverter(std::move(impl));
}

Nv12ToRgbaConverter::Nv12ToRgbaConverter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Nv12ToRgbaConverter::Nv12ToRgbaConverter(Nv12ToRgbaConverter&&) noexcept = default;
Nv12ToRgbaConverter& Nv12ToRgbaConverter::operator=(Nv12ToRgbaConverter&&) noexcept = default;
Nv12ToRgbaConverter::~Nv12ToRgbaConverter() = default;

double Nv12ToRgbaConverter::lastGpuMs() const { return impl_->lastGpuMs; }

Result<void> Nv12ToRgbaConverter::convert(const Nv12View& src, RgbaImage& dst) {
    Impl& m = *impl_;
    if (src.width != m.width || src.height != m.height)
        return fail(ErrorCode::InvalidArgument, std::format("frame is {}x{}, converter was created for {}x{}",
                                                            src.width, src.height, m.width, m.height));
    // Repack into the converter's stride (one copy; the capture path imports instead).
    std::byte* up = m.upload.mapped();
    const size_t row = (src.width + 1) & ~1u;
    for (uint32_t y = 0; y < src.height; ++y)
        std::memcpy(up + size_t(y) * m.stride, src.y + size_t(y) * src.yStride, row);
    const size_t uvOffset = size_t(m.stride) * m.height;
    for (uint32_t y = 0; y < src.chromaHeight(); ++y)
        std::memcpy(up + uvOffset + size_t(y) * m.stride, src.uv + size_t(y) * src.uvStride, row);
    m.upload.flush();

    auto cmd = m.submitter.begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    gpu::memoryBarrier(*m.device, *cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                  VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    m.submitter.beginSpan("nv12_to_rgba");
    stages::Nv12Buffer in{m.upload.get(), 0, m.upload.size(), m.width, m.height, m.stride,
                          uint32_t(uvOffset), m.stride, src.colorSpace};
    m.stage.record(*cmd, in, {m.output.get(), 0, m.output.size()});
    m.submitter.endSpan();
    gpu::memoryBarrier(*m.device, *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                  VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = m.submitter.submit();
    if (!value)
        return std::unexpected(value.error());
    auto spans = m.submitter.spans(*value);
    if (!spans)
        return std::unexpected(spans.error());
    m.lastGpuMs = spans->empty() ? 0.0 : spans->front().ms;

    m.output.invalidate();
    if (dst.width != m.width || dst.height != m.height)
        dst = RgbaImage(m.width, m.height);
    std::memcpy(dst.pixels.data(), m.output.mapped(), dst.pixels.size());
    return {};
}

} // namespace rearview
