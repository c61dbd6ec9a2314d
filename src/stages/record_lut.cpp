// SPDX-License-Identifier: MIT
#include "stages/record_lut.hpp"

#include "core/try.hpp"
#include "core/ycbcr_encoding.hpp"

#include <algorithm>
#include <format>

namespace rearview::stages {
namespace {

/// Mirrors the push constants of shaders/record_lut/record_lut.comp (std430: the vec4s start
/// at 80).
struct Push {
    uint32_t width, height, yStride, uvOffset, uvStride;
    YcbcrCoefficients k;
    YcbcrEncoding e;
    float pad;
    float lutScale[4], lutOffset[4];
};
static_assert(sizeof(Push) == 112);

constexpr VkDescriptorType kBindings[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                          VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE};

} // namespace

Result<RecordLut> RecordLut::create(gpu::Device& device) {
    RecordLut s;
    const uint32_t trilinear[] = {0}, tetrahedral[] = {1};
    auto t = gpu::ComputePipeline::create(device, gpu::ShaderId::record_lut, kBindings, sizeof(Push), trilinear);
    if (!t)
        return std::unexpected(t.error());
    auto h = gpu::ComputePipeline::create(device, gpu::ShaderId::record_lut, kBindings, sizeof(Push), tetrahedral);
    if (!h)
        return std::unexpected(h.error());
    s.trilinear_ = std::move(*t);
    s.tetrahedral_ = std::move(*h);
    return s;
}

bool RecordLut::fits(const Nv12Buffer& f) {
    return f.width > 0 && f.height > 0 && f.width % 4 == 0 && f.height % 2 == 0 && f.yStride % 4 == 0 &&
           f.uvOffset % 4 == 0 && f.uvStride % 4 == 0 && f.offset % 4 == 0 && f.yStride >= f.width &&
           f.uvStride >= f.width && f.uvOffset >= VkDeviceSize(f.yStride) * f.height &&
           (f.size == VK_WHOLE_SIZE || f.size >= f.uvOffset + VkDeviceSize(f.uvStride) * (f.height / 2));
}

Result<void> RecordLut::record(VkCommandBuffer cmd, const Nv12Buffer& src, const Nv12Buffer& dst, const Lut3d& lut,
                               const LutParams& params) const {
    if (!fits(src) || src.width != dst.width || src.height != dst.height || src.yStride != dst.yStride ||
        src.uvOffset != dst.uvOffset || src.uvStride != dst.uvStride || !fits(dst))
        return fail(ErrorCode::InvalidArgument,
                    std::format("record_lut takes two NV12 frames of one layout, a width that is a multiple of 4 and an "
                                "even height, in 4-byte units; got {}x{} (strides {} / {}, CbCr at {}) into {}x{} "
                                "(strides {} / {}, CbCr at {})",
                                src.width, src.height, src.yStride, src.uvStride, src.uvOffset, dst.width, dst.height,
                                dst.yStride, dst.uvStride, dst.uvOffset));
    auto b = lut.binding(params.strength);
    if (!b)
        return std::unexpected(b.error());
    Push push{src.width, src.height, src.yStride / 4, src.uvOffset / 4, src.uvStride / 4,
              coefficientsFor(src.colorSpace), encodingFor(dst.colorSpace), 0, {}, {}};
    std::copy(std::begin(b->scale), std::end(b->scale), push.lutScale);
    std::copy(std::begin(b->offset), std::end(b->offset), push.lutOffset);
    const gpu::ComputePipeline& p = params.interpolation == LutInterpolation::Tetrahedral ? tetrahedral_ : trilinear_;
    p.bind(cmd);
    p.pushDescriptors(cmd, {VkDescriptorBufferInfo{src.buffer, src.offset, src.size},
                            VkDescriptorBufferInfo{dst.buffer, dst.offset, dst.size}, b->image});
    p.pushConstants(cmd, push);
    p.dispatch(cmd, gpu::groupsFor(src.width / 4, p.localSizeX()), gpu::groupsFor(src.height / 2, p.localSizeY()),
                  1);
    return {};
}

} // namespace rearview::stages
