// SPDX-License-Identifier: MIT
#include "stages/record_scale.hpp"

#include "gpu/submitter.hpp"
#include "stages/area_rows.hpp"

#include <array>
#include <cmath>
#include <format>

namespace rearview::stages {
namespace {

/// record_scale_horizontal.comp's push constants.
struct HorizontalPush {
    uint32_t rows, rowStride, loads, dstBase, dstStride, samples, planeRows, mirror;
    float left, step, norm;
};

/// Output rows per invocation of record_scale_horizontal.comp (its kRows).
constexpr uint32_t kHorizontalRows = 4;

uint32_t roundUp(uint32_t v, uint32_t to) { return (v + to - 1) / to * to; }

Result<void> checkOutput(const Nv12Buffer& dst, const RecordPlan& plan) {
    if (dst.width != plan.outWidth || dst.height != plan.outHeight)
        return fail(ErrorCode::InvalidArgument, std::format("output is {}x{} but the plan makes {}x{}", dst.width,
                                                            dst.height, plan.outWidth, plan.outHeight));
    if (dst.yStride % 4 || dst.uvOffset % 4 || dst.uvStride % 4 || dst.offset % 4)
        return fail(ErrorCode::InvalidArgument,
                    std::format("record_scale writes 4-byte units: output offset {}, Y stride {}, CbCr offset {} and "
                                "CbCr stride {} must be multiples of 4",
                                dst.offset, dst.yStride, dst.uvOffset, dst.uvStride));
    const uint32_t row = roundUp(plan.outWidth, 4);
    if (dst.yStride < row || dst.uvStride < row)
        return fail(ErrorCode::InvalidArgument,
                    std::format("output strides {} / {} are shorter than {} bytes (the {}-pixel row rounded up to 4)",
                                dst.yStride, dst.uvStride, row, plan.outWidth));
    const VkDeviceSize yBytes = VkDeviceSize(dst.yStride) * plan.outHeight;
    const VkDeviceSize end = dst.uvOffset + VkDeviceSize(dst.uvStride) * (plan.outHeight / 2);
    if (dst.uvOffset < yBytes || (dst.size != VK_WHOLE_SIZE && dst.size < end))
        return fail(ErrorCode::InvalidArgument,
                    std::format("output of {} bytes with CbCr at {} does not hold a {}x{} NV12 frame with strides {} / "
                                "{} ({} bytes, CbCr at >= {})",
                                dst.size, dst.uvOffset, plan.outWidth, plan.outHeight, dst.yStride, dst.uvStride, end,
                                yBytes));
    return {};
}

} // namespace

Result<RecordScale> RecordScale::create(gpu::Device& device) {
    RecordScale s;
    s.device_ = &device;
    auto v = createVerticalPipeline(device);
    if (!v)
        return std::unexpected(v.error());
    const std::array<VkDescriptorType, 2> buffers{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
    const std::array<uint32_t, 1> luma{1}, chroma{2};
    auto y = gpu::ComputePipeline::create(device, gpu::ShaderId::record_scale_horizontal, buffers,
                                          sizeof(HorizontalPush), luma);
    if (!y)
        return std::unexpected(y.error());
    auto c = gpu::ComputePipeline::create(device, gpu::ShaderId::record_scale_horizontal, buffers,
                                          sizeof(HorizontalPush), chroma);
    if (!c)
        return std::unexpected(c.error());
    s.vertical_ = std::move(*v);
    s.horizontal_[0] = std::move(*y);
    s.horizontal_[1] = std::move(*c);
    return s;
}

Nv12Buffer RecordScale::outputLayout(uint32_t width, uint32_t height, ColorSpace colorSpace) {
    Nv12Buffer b;
    b.width = width;
    b.height = height;
    b.yStride = b.uvStride = roundUp(std::max(width, 1u), kRowAlignment);
    b.uvOffset = b.yStride * height;
    b.size = VkDeviceSize(b.uvOffset) + VkDeviceSize(b.uvStride) * ((height + 1) / 2);
    b.colorSpace = colorSpace;
    return b;
}

Result<void> RecordScale::record(VkCommandBuffer cmd, const Nv12Buffer& src, const RecordPlan& plan,
                                 const Nv12Buffer& dst) {
    const CropRect& crop = plan.crop;
    if (auto ok = checkAreaSource(src, "record_scale", crop.x, crop.y, crop.width, crop.height); !ok)
        return ok;
    if (plan.outWidth % 2 || plan.outHeight % 2 || plan.outWidth == 0 || plan.outHeight == 0 ||
        !(plan.scaleX >= 1 && plan.scaleY >= 1 && std::max(plan.scaleX, plan.scaleY) <= kMaxRecordDownscale))
        return fail(ErrorCode::InvalidArgument,
                    std::format("plan {}x{} at scale {:.3f} x {:.3f} is not one planRecord() makes (even size, scale "
                                "1 to {:.0f})",
                                plan.outWidth, plan.outHeight, plan.scaleX, plan.scaleY, kMaxRecordDownscale));
    if (auto ok = checkOutput(dst, plan); !ok)
        return ok;

    const double x0 = crop.x, x1 = crop.x + crop.width;
    const Strips y = stripsCovering(x0, x1);
    const Strips c = stripsCovering(std::floor(x0 / 2) * 2, std::ceil(x1 / 2) * 2);
    // 64-bit loads of 16-bit columns per footprint (Y: 4 columns, CbCr: 2 samples each);
    // they cover any footprint position.
    const auto yLoads = uint32_t(std::ceil((plan.scaleX + 4) / 4));
    const auto cLoads = uint32_t(std::ceil((plan.scaleX + 2) / 2));
    const uint32_t cRows = plan.outHeight / 2;

    // Vertical pass output rows: two 16-byte units per strip, then padding for the
    // horizontal pass's loads past the last column (their coverage is 0). Chroma rows
    // average the same rule in chroma rows: scaleY chroma rows per output chroma row.
    const VerticalPlane yPlane{y.firstByte / 8,    src.yStride / 8,   y.count,
                               src.yStride / 8 - 1, src.height,       0,
                               2 * y.count + yLoads / 2 + 1, float(crop.y), float(plan.scaleY),
                               float(256.0 / plan.scaleY)};
    const uint32_t cBase = yPlane.dstStride * plan.outHeight;
    const VerticalPlane cPlane{(src.uvOffset + c.firstByte) / 8, src.uvStride / 8, c.count,
                               (src.uvOffset + src.uvStride) / 8 - 1, (src.height + 1) / 2, cBase,
                               2 * c.count + cLoads / 2 + 1, float(crop.y / 2), float(plan.scaleY),
                               float(256.0 / plan.scaleY)};
    const VkDeviceSize rowBytes = VkDeviceSize(cBase + cPlane.dstStride * cRows) * 16;
    if (auto r = gpu::growBuffer(*device_, rows_, rowBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                 gpu::MemoryUse::GpuOnly);
        !r)
        return r;

    const VkDescriptorBufferInfo frame{src.buffer, src.offset, src.size};
    const VkDescriptorBufferInfo rows{rows_.get(), 0, rowBytes};
    const VkDescriptorBufferInfo out{dst.buffer, dst.offset, dst.size};
    // The previous frame's horizontal pass may still be reading the rows.
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    vertical_.bind(cmd);
    vertical_.pushBuffers(cmd, {frame, rows});
    // One dispatch per plane (z = 0 reads plane[0]): the planes have different row counts.
    vertical_.pushConstants(cmd, VerticalPush{{yPlane, {}}});
    vertical_.dispatch(cmd, gpu::groupsFor(y.count, vertical_.localSizeX()), plan.outHeight, 1);
    vertical_.pushConstants(cmd, VerticalPush{{cPlane, {}}});
    vertical_.dispatch(cmd, gpu::groupsFor(c.count, vertical_.localSizeX()), cRows, 1);
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);

    const float step = float(plan.scaleX), norm = float(1.0 / (256.0 * plan.scaleX));
    const uint32_t mirror = plan.mirror ? 1 : 0;
    const HorizontalPush h[2] = {
        {0, 2 * yPlane.dstStride, yLoads, 0, dst.yStride / 4, plan.outWidth, plan.outHeight, mirror,
         float(x0 - y.firstByte), step, norm},
        {2 * cBase, 2 * cPlane.dstStride, cLoads, dst.uvOffset / 4, dst.uvStride / 4, plan.outWidth / 2, cRows, mirror,
         float(x0 / 2 - c.firstByte / 2), step, norm},
    };
    const uint32_t uintsPerRow = (plan.outWidth + 3) / 4;
    for (int p = 0; p < 2; ++p) {
        horizontal_[p].bind(cmd);
        horizontal_[p].pushBuffers(cmd, {rows, out});
        horizontal_[p].pushConstants(cmd, h[p]);
        // kHorizontalRows output rows per invocation (kRows in the shader).
        horizontal_[p].dispatch(cmd, gpu::groupsFor(uintsPerRow, horizontal_[p].localSizeX()),
                      (h[p].planeRows + kHorizontalRows - 1) / kHorizontalRows, 1);
    }
    return {};
}

} // namespace rearview::stages
