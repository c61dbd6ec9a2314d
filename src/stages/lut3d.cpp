// SPDX-License-Identifier: MIT
#include "stages/lut3d.hpp"

#include <format>
#include <vector>

namespace rearview::stages {
namespace {

/// Mirrors the push constants of shaders/lut3d/lut3d.comp.
struct Push {
    float scale[4];
    float offset[4];
    uint32_t width, height;
};

constexpr VkDescriptorType kBindings[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                          VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE};

} // namespace

Result<Lut3d> Lut3d::create(gpu::Device& device) {
    Lut3d s;
    s.device_ = &device;
    const uint32_t trilinear[] = {0}, tetrahedral[] = {1};
    auto t = gpu::ComputePipeline::create(device, gpu::ShaderId::lut3d, kBindings, sizeof(Push), trilinear);
    if (!t)
        return std::unexpected(t.error());
    auto h = gpu::ComputePipeline::create(device, gpu::ShaderId::lut3d, kBindings, sizeof(Push), tetrahedral);
    if (!h)
        return std::unexpected(h.error());
    s.trilinear_ = std::move(*t);
    s.tetrahedral_ = std::move(*h);
    return s;
}

Result<void> Lut3d::setLut(const CubeLut& lut) {
    const size_t n = lut.size;
    if (n < CubeLut::kMinSize || n > CubeLut::kMaxSize || lut.rgb.size() != n * n * n * 3)
        return fail(ErrorCode::InvalidArgument,
                    std::format("LUT of size {} with {} values; allowed: sizes {}..{} with size^3 * 3 values", n,
                                lut.rgb.size(), CubeLut::kMinSize, CubeLut::kMaxSize));
    for (size_t c = 0; c < 3; ++c)
        if (!(lut.domainMin[c] < lut.domainMax[c]))
            return fail(ErrorCode::InvalidArgument, std::format("LUT domain {}..{} is empty", lut.domainMin[c],
                                                                lut.domainMax[c]));
    // Red varies fastest in the CubeLut, as x does in the image. 32-bit texels hold the
    // LUT exactly; half floats were as fast on lavapipe but moved ~1 % of outputs by a code
    // value against the reference.
    std::vector<float> texels(n * n * n * 4);
    for (size_t i = 0, e = 0; e < lut.rgb.size(); i += 4, e += 3) {
        texels[i] = lut.rgb[e];
        texels[i + 1] = lut.rgb[e + 1];
        texels[i + 2] = lut.rgb[e + 2];
        texels[i + 3] = 1.0f;
    }
    const auto side = uint32_t(n);
    auto image = gpu::Image::create(*device_, VK_IMAGE_TYPE_3D, VK_FORMAT_R32G32B32A32_SFLOAT, {side, side, side},
                                    VK_IMAGE_USAGE_SAMPLED_BIT);
    if (!image)
        return std::unexpected(image.error());
    if (auto r = image->upload(*device_, std::as_bytes(std::span(texels))); !r)
        return std::unexpected(r.error());
    lut_.retire();
    lut_.device = device_;
    lut_.image = std::move(*image);
    last_ = float(n - 1);
    for (size_t c = 0; c < 3; ++c) {
        const double perUnit = double(n - 1) / (double(lut.domainMax[c]) - lut.domainMin[c]);
        coordScale_[c] = float(perUnit / 255.0);
        coordOffset_[c] = float(-lut.domainMin[c] * perUnit);
    }
    return {};
}

Result<Lut3d::Binding> Lut3d::binding(float strength) const {
    if (!lut_.image)
        return fail(ErrorCode::InvalidArgument, "the 3D LUT stage has no LUT; call setLut() first");
    if (!(strength >= 0.0f && strength <= 1.0f))
        return fail(ErrorCode::InvalidArgument,
                    std::format("lut: strength = {} is outside the allowed range 0..1", strength));
    return Binding{lut_.image.sampledDescriptor(),
                   {coordScale_[0], coordScale_[1], coordScale_[2], strength},
                   {coordOffset_[0], coordOffset_[1], coordOffset_[2], last_}};
}

Result<void> Lut3d::record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst,
                           uint32_t width, uint32_t height, const LutParams& params) const {
    auto lut = binding(params.strength);
    if (!lut)
        return std::unexpected(lut.error());
    const VkDeviceSize bytes = VkDeviceSize(width) * height * 4;
    const uint32_t maxRows = device_->limits().maxComputeWorkGroupCount[1];
    if (width == 0 || height == 0 || height > maxRows)
        return fail(ErrorCode::InvalidArgument,
                    std::format("{}x{} working image; allowed: 1..{} rows", width, height, maxRows));
    for (const VkDescriptorBufferInfo& b : {src, dst})
        if (b.range != VK_WHOLE_SIZE && b.range < bytes)
            return fail(ErrorCode::InvalidArgument,
                        std::format("buffer range of {} bytes is smaller than a {}x{} RGBA8 image", b.range, width,
                                    height));
    const gpu::ComputePipeline& p =
        params.interpolation == LutInterpolation::Tetrahedral ? tetrahedral_ : trilinear_;
    Push push{{lut->scale[0], lut->scale[1], lut->scale[2], lut->scale[3]},
              {lut->offset[0], lut->offset[1], lut->offset[2], lut->offset[3]},
              width,
              height};
    p.bind(cmd);
    p.pushDescriptors(cmd, {src, dst, lut->image});
    p.pushConstants(cmd, push);
    p.dispatch(cmd, gpu::groupsFor(width, p.localSizeX()), height, 1);
    return {};
}

} // namespace rearview::stages
