// SPDX-License-Identifier: MIT
#include "stages/rgba_to_nv12.hpp"

#include "core/ycbcr_encoding.hpp"

#include <format>

namespace rearview::stages {
namespace {

struct Push {
    uint32_t width, height, yStride, uvOffset, uvStride;
    YcbcrEncoding e;
};

} // namespace

Result<RgbaToNv12> RgbaToNv12::create(gpu::Device& device) {
    return gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::rgba_to_nv12, 2, sizeof(Push))
        .transform([](gpu::ComputePipeline p) { return RgbaToNv12(std::move(p)); });
}

Result<void> RgbaToNv12::record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, const Nv12Buffer& dst) const {
    const uint32_t w = dst.width, h = dst.height;
    if (w == 0 || h == 0 || w % 2 || h % 2)
        return fail(ErrorCode::InvalidArgument,
                    std::format("NV12 output {}x{} must be non-zero and even in both directions", w, h));
    if (dst.yStride % 4 || dst.uvOffset % 4 || dst.uvStride % 4 || dst.offset % 4)
        return fail(ErrorCode::InvalidArgument,
                    std::format("rgba_to_nv12 writes 4-byte units: output offset {}, Y stride {}, CbCr offset {} and "
                                "CbCr stride {} must be multiples of 4",
                                dst.offset, dst.yStride, dst.uvOffset, dst.uvStride));
    const uint32_t row = (w + 3) & ~3u;
    const VkDeviceSize end = dst.uvOffset + VkDeviceSize(dst.uvStride) * (h / 2);
    if (dst.yStride < row || dst.uvStride < row || dst.uvOffset < VkDeviceSize(dst.yStride) * h ||
        (dst.size != VK_WHOLE_SIZE && dst.size < end))
        return fail(ErrorCode::InvalidArgument,
                    std::format("output of {} bytes (strides {} / {}, CbCr at {}) does not hold a {}x{} NV12 frame with "
                                "rows of at least {} bytes",
                                dst.size, dst.yStride, dst.uvStride, dst.uvOffset, w, h, row));
    if (src.range != VK_WHOLE_SIZE && src.range < VkDeviceSize(w) * h * 4)
        return fail(ErrorCode::InvalidArgument,
                    std::format("working image of {} bytes is smaller than {}x{} RGBA8", src.range, w, h));
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {src, {dst.buffer, dst.offset, dst.size}});
    pipeline_.pushConstants(cmd, Push{w, h, dst.yStride / 4, dst.uvOffset / 4, dst.uvStride / 4,
                                      encodingFor(dst.colorSpace)});
    pipeline_.dispatch(cmd, gpu::groupsFor((w + 3) / 4, pipeline_.localSizeX()), gpu::groupsFor(h / 2, pipeline_.localSizeY()),
                  1);
    return {};
}

} // namespace rearview::stages
