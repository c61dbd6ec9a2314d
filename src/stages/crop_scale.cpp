// SPDX-License-Identifier: MIT
#include "stages/crop_scale.hpp"

#include "gpu/submitter.hpp"
#include "stages/area_rows.hpp"

#include <cmath>
#include <format>
#include <optional>

namespace rearview::stages {
namespace {

/// Mirrors shaders/common/panel_placement.glsl.
struct PanelPlacement {
    uint32_t outWidth, outHeight, regionX, regionY, regionWidth, regionHeight;
    int32_t ax, bx, cx, ay, by, cy;
    uint32_t panelWidth;
};

PanelPlacement placementOf(const CropPlan& p) {
    return {p.outWidth, p.outHeight, p.regionX,  p.regionY,  p.regionWidth, p.regionHeight, p.map.ax,
            p.map.bx,   p.map.cx,    p.map.ay,   p.map.by,   p.map.cy,      p.panelWidth};
}

/// Output rows per invocation of crop_scale_horizontal.comp (its kRows).
constexpr uint32_t kHorizontalRows = 4;

struct HorizontalPush {
    PanelPlacement place;
    uint32_t yBase, yStride, cBase, cStride, yLoads, cLoads;
    float yLeft, cLeft, step, norm;
    YcbcrCoefficients k;
};

struct BilinearPush {
    PanelPlacement place;
    uint32_t width, height, yStride, uvOffset, uvStride;
    float x0, y0, stepX, stepY;
    YcbcrCoefficients k;
};

} // namespace

Result<CropScale> CropScale::create(gpu::Device& device) {
    CropScale s;
    s.device_ = &device;
    auto v = createVerticalPipeline(device);
    if (!v)
        return std::unexpected(v.error());
    auto h = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::crop_scale_horizontal, 2,
                                                    sizeof(HorizontalPush));
    if (!h)
        return std::unexpected(h.error());
    auto b = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::crop_scale_bilinear, 2, sizeof(BilinearPush));
    if (!b)
        return std::unexpected(b.error());
    s.vertical_ = std::move(*v);
    s.horizontal_ = std::move(*h);
    s.bilinear_ = std::move(*b);
    return s;
}

Result<void> CropScale::record(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                               VkDescriptorBufferInfo dst, gpu::Submitter* passSpans) {
    if (auto ok = checkAreaSource(src, "crop/scale", plan.cropX, plan.cropY, plan.cropWidth, plan.cropHeight); !ok)
        return ok;
    if (dst.range != VK_WHOLE_SIZE && dst.range < VkDeviceSize(plan.panelWidth) * plan.panelHeight * 4)
        return fail(ErrorCode::InvalidArgument, std::format("working image of {} bytes is smaller than {}x{} RGBA8",
                                                            dst.range, plan.panelWidth, plan.panelHeight));
    if (plan.sampling == Sampling::Area)
        return recordArea(cmd, src, plan, dst, passSpans);
    recordBilinear(cmd, src, plan, dst);
    return {};
}

Result<void> CropScale::recordArea(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                                   VkDescriptorBufferInfo dst, gpu::Submitter* passSpans) {
    const double x0 = plan.cropX, x1 = plan.cropX + plan.cropWidth;
    const Strips y = stripsCovering(x0, x1);
    const Strips c = stripsCovering(std::floor(x0 / 2) * 2, std::ceil(x1 / 2) * 2);
    // 64-bit loads each horizontal invocation makes; they cover any footprint position.
    const auto yLoads = uint32_t(std::ceil((plan.scaleX + 4) / 4));
    const auto cLoads = uint32_t(std::ceil((plan.scaleX / 2 + 2) / 2));

    // Vertical pass output rows: two 16-byte units per strip, then padding for the
    // horizontal pass's loads past the last column (their coverage is 0), rounded up to
    // 32-byte rows for the vertical pass's two-strip stores.
    VerticalPush v{};
    v.plane[0] = {y.firstByte / 8,     src.yStride / 8,       y.count,
                  src.yStride / 8 - 1, src.height,            0,
                  (2 * y.count + yLoads / 2 + 2) & ~1u, float(plan.cropY), float(plan.scaleY),
                  float(256.0 / plan.scaleY)};
    const uint32_t cBase = v.plane[0].dstStride * plan.regionHeight;
    v.plane[1] = {(src.uvOffset + c.firstByte) / 8, src.uvStride / 8, c.count,
                  (src.uvOffset + src.uvStride) / 8 - 1, (src.height + 1) / 2, cBase,
                  (2 * c.count + cLoads / 2 + 2) & ~1u, float(plan.cropY / 2), float(plan.scaleY / 2),
                  float(512.0 / plan.scaleY)};
    const VkDeviceSize rowBytes = VkDeviceSize(cBase + v.plane[1].dstStride * plan.regionHeight) * 16;
    if (auto r = gpu::growBuffer(*device_, rows_, rowBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                 gpu::MemoryUse::GpuOnly);
        !r)
        return r;

    const VkDescriptorBufferInfo frame{src.buffer, src.offset, src.size};
    const VkDescriptorBufferInfo rows{rows_.get(), 0, rowBytes};
    std::optional<gpu::ScopedSpan> pass(std::in_place, passSpans, kVerticalSpan);
    // The previous frame's horizontal pass may still be reading the rows.
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    vertical_.bind(cmd);
    vertical_.pushBuffers(cmd, {frame, rows});
    vertical_.pushConstants(cmd, v);
    // With 32-byte aligned rows and first strips, half as many invocations as strips: the
    // shader then reduces two neighbouring strips per invocation with 32-byte loads and
    // stores (the output row strides above are even for those; a pair never leaves its row).
    const bool wide =
        (src.offset | src.uvOffset | src.yStride | src.uvStride | y.firstByte | c.firstByte) % 32 == 0;
    const uint32_t strips = std::max(y.count, c.count), invocations = wide ? (strips + 1) / 2 : strips;
    vertical_.dispatch(cmd, gpu::groupsFor(invocations, vertical_.localSizeX()), plan.regionHeight, 2);
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);

    pass.emplace(passSpans, kHorizontalSpan); // ends the vertical span first
    HorizontalPush h{};
    h.place = placementOf(plan);
    h.yBase = 0;
    h.yStride = 2 * v.plane[0].dstStride;
    h.cBase = 2 * cBase;
    h.cStride = 2 * v.plane[1].dstStride;
    h.yLoads = yLoads;
    h.cLoads = cLoads;
    h.yLeft = float(x0 - y.firstByte);
    h.cLeft = float(x0 / 2 - c.firstByte / 2);
    h.step = float(plan.scaleX);
    h.norm = float(1.0 / (256.0 * plan.scaleX));
    h.k = coefficientsFor(src.colorSpace);
    horizontal_.bind(cmd);
    horizontal_.pushBuffers(cmd, {rows, dst});
    horizontal_.pushConstants(cmd, h);
    // kHorizontalRows output rows per invocation (kRows in the shader).
    horizontal_.dispatch(cmd, gpu::groupsFor(plan.outWidth, horizontal_.localSizeX()),
                  (plan.outHeight + kHorizontalRows - 1) / kHorizontalRows, 1);
    return {};
}

void CropScale::recordBilinear(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                               VkDescriptorBufferInfo dst) const {
    BilinearPush b{};
    b.place = placementOf(plan);
    b.width = src.width;
    b.height = src.height;
    b.yStride = src.yStride;
    b.uvOffset = src.uvOffset;
    b.uvStride = src.uvStride;
    b.x0 = float(plan.cropX + 0.5 * plan.scaleX - 0.5);
    b.y0 = float(plan.cropY + 0.5 * plan.scaleY - 0.5);
    b.stepX = float(plan.scaleX);
    b.stepY = float(plan.scaleY);
    b.k = coefficientsFor(src.colorSpace);
    bilinear_.bind(cmd);
    bilinear_.pushBuffers(cmd, {{src.buffer, src.offset, src.size}, dst});
    bilinear_.pushConstants(cmd, b);
    bilinear_.dispatch(cmd, gpu::groupsFor(plan.outWidth, bilinear_.localSizeX()), plan.outHeight, 1);
}

} // namespace rearview::stages
