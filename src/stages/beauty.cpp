// SPDX-License-Identifier: MIT
#include "stages/beauty.hpp"

#include "gpu/submitter.hpp"

#include <algorithm>
#include <format>

namespace rearview::stages {
namespace {

// Mirror the push constants of shaders/beauty/*.comp.
struct ReducePush {
    uint32_t width, height, gridW, gridH;
};
struct CoeffsPush {
    uint32_t gridW, gridH;
    float eps, faceGain, otherGain;
    uint32_t faceCount, pad0, pad1;
    uint32_t faces[2 * BeautyGrid::kMaxFaces];
};
struct SmoothPush {
    uint32_t gridW, gridH;
};
struct ApplyPush {
    uint32_t width, height, gridW, gridH;
    float smoothing, tone, sharpen;
};
struct CopyPush {
    uint32_t width, height;
};

constexpr VkDescriptorType kTwo[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};
constexpr VkDescriptorType kThree[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                       VK_DESCRIPTOR_TYPE_STORAGE_BUFFER};

void computeToCompute(const gpu::Device& device, VkCommandBuffer cmd, VkAccessFlags2 srcAccess, VkAccessFlags2 dstAccess) {
    gpu::memoryBarrier(device, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, srcAccess, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                       dstAccess);
}

} // namespace

Beauty& Beauty::operator=(Beauty&& o) noexcept {
    if (this != &o) {
        retire();
        device_ = o.device_;
        reduce_ = std::move(o.reduce_);
        coeffs_ = std::move(o.coeffs_);
        smooth_ = std::move(o.smooth_);
        apply_ = std::move(o.apply_);
        copy_ = std::move(o.copy_);
        cells_ = std::move(o.cells_);
        coeffsBuffer_ = std::move(o.coeffsBuffer_);
        smoothBuffer_ = std::move(o.smoothBuffer_);
        width_ = o.width_;
        height_ = o.height_;
        grid_ = o.grid_;
    }
    return *this;
}

void Beauty::retire() {
    // Submitted frames may still read the grid buffers.
    for (gpu::Buffer* b : {&cells_, &coeffsBuffer_, &smoothBuffer_})
        if (device_ && b->get())
            device_->deferred().retire(device_->lastTimelineValue(), std::move(*b));
}

Result<Beauty> Beauty::create(gpu::Device& device, uint32_t width, uint32_t height, uint32_t cell) {
    const uint32_t maxRows = device.limits().maxComputeWorkGroupCount[1];
    if (cell < 2 || cell % 2 != 0 || cell > 512)
        return fail(ErrorCode::InvalidArgument, std::format("beauty: grid cell of {} pixels; allowed: even, 2..512", cell));
    if (width == 0 || height == 0 || height > maxRows || width >= (1u << 16) * cell || height >= (1u << 16) * cell)
        return fail(ErrorCode::InvalidArgument,
                    std::format("beauty: {}x{} working image; allowed: 1..{} rows, under {} columns", width,
                                height, maxRows, (1u << 16) * cell));
    Beauty s;
    s.device_ = &device;
    s.width_ = width;
    s.height_ = height;
    s.grid_ = BeautyGrid::forImage(width, height, cell);
    const uint32_t cellSpec[] = {cell}; // shaders/common/beauty_grid.glsl's kCell
    struct Build {
        gpu::ComputePipeline* target;
        gpu::ShaderId shader;
        std::span<const VkDescriptorType> bindings;
        uint32_t push;
    };
    for (const Build& b : {Build{&s.reduce_, gpu::ShaderId::beauty_reduce, kTwo, sizeof(ReducePush)},
                           Build{&s.coeffs_, gpu::ShaderId::beauty_coeffs, kTwo, sizeof(CoeffsPush)},
                           Build{&s.smooth_, gpu::ShaderId::beauty_smooth, kTwo, sizeof(SmoothPush)},
                           Build{&s.apply_, gpu::ShaderId::beauty_apply, kThree, sizeof(ApplyPush)},
                           Build{&s.copy_, gpu::ShaderId::beauty_copy, kTwo, sizeof(CopyPush)}}) {
        auto p = gpu::ComputePipeline::create(device, b.shader, b.bindings, b.push, cellSpec);
        if (!p)
            return std::unexpected(p.error());
        *b.target = std::move(*p);
    }
    const VkDeviceSize cellBytes = VkDeviceSize(s.grid_.width) * s.grid_.height * 16;
    for (gpu::Buffer* target : {&s.cells_, &s.coeffsBuffer_, &s.smoothBuffer_}) {
        auto b = gpu::Buffer::create(device, cellBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::GpuOnly);
        if (!b)
            return std::unexpected(b.error());
        *target = std::move(*b);
    }
    return s;
}

Result<void> Beauty::record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst,
                            const BeautyParams& params, std::span<const analysis::FaceBox> faces) const {
    if (!device_)
        return fail(ErrorCode::InvalidArgument, "beauty: the stage was not created");
    if (auto r = validate(params); !r)
        return r;
    const VkDeviceSize bytes = VkDeviceSize(width_) * height_ * 4;
    for (const VkDescriptorBufferInfo& b : {src, dst})
        if (b.range != VK_WHOLE_SIZE && b.range < bytes)
            return fail(ErrorCode::InvalidArgument,
                        std::format("beauty: buffer range of {} bytes is smaller than a {}x{} RGBA8 image", b.range,
                                    width_, height_));
    // The apply pass reads neighbours of the pixels other invocations write.
    if (src.buffer == dst.buffer)
        return fail(ErrorCode::InvalidArgument, "beauty: src and dst must be different buffers");

    const uint32_t groupsX = gpu::groupsFor(width_, apply_.localSizeX());
    if (params.smoothing == 0.0f && params.tone == 0.0f && params.sharpen == 0.0f) {
        copy_.bind(cmd);
        copy_.pushBuffers(cmd, {src, dst});
        copy_.pushConstants(cmd, CopyPush{width_, height_});
        copy_.dispatch(cmd, gpu::groupsFor(width_, copy_.localSizeX()), height_, 1);
        return {};
    }

    const VkDescriptorBufferInfo cells{cells_.get(), 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo coeffs{coeffsBuffer_.get(), 0, VK_WHOLE_SIZE};
    const VkDescriptorBufferInfo smooth{smoothBuffer_.get(), 0, VK_WHOLE_SIZE};
    const uint32_t gx = gpu::groupsFor(grid_.width, 8), gy = gpu::groupsFor(grid_.height, 8);

    // The previous frame's passes may still read the grid buffers this one overwrites.
    computeToCompute(*device_, cmd, VK_ACCESS_2_SHADER_STORAGE_READ_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    reduce_.bind(cmd);
    reduce_.pushBuffers(cmd, {src, cells});
    reduce_.pushConstants(cmd, ReducePush{width_, height_, grid_.width, grid_.height});
    reduce_.dispatch(cmd, gx, gy, 1);
    computeToCompute(*device_, cmd, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);

    CoeffsPush cp{};
    cp.gridW = grid_.width;
    cp.gridH = grid_.height;
    cp.eps = BeautyGrid::epsilon(params.smoothing);
    cp.faceGain = BeautyGrid::kFaceGain;
    cp.otherGain = 1.0f;
    if (beautyUsesFaces(params, faces)) {
        cp.otherGain = BeautyGrid::kBackgroundGain;
        cp.faceCount = uint32_t(std::min<size_t>(faces.size(), BeautyGrid::kMaxFaces));
        for (uint32_t f = 0; f < cp.faceCount; ++f) {
            const BeautyGrid::CellRange r = grid_.cellsOf(faces[f]);
            cp.faces[2 * f] = r.x0 | (r.x1 << 16);
            cp.faces[2 * f + 1] = r.y0 | (r.y1 << 16);
        }
    }
    coeffs_.bind(cmd);
    coeffs_.pushBuffers(cmd, {cells, coeffs});
    coeffs_.pushConstants(cmd, cp);
    coeffs_.dispatch(cmd, gx, gy, 1);
    computeToCompute(*device_, cmd, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);

    smooth_.bind(cmd);
    smooth_.pushBuffers(cmd, {coeffs, smooth});
    smooth_.pushConstants(cmd, SmoothPush{grid_.width, grid_.height});
    smooth_.dispatch(cmd, gx, gy, 1);
    computeToCompute(*device_, cmd, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);

    apply_.bind(cmd);
    apply_.pushBuffers(cmd, {src, smooth, dst});
    apply_.pushConstants(cmd, ApplyPush{width_, height_, grid_.width, grid_.height, params.smoothing, params.tone,
                                        params.sharpen});
    apply_.dispatch(cmd, groupsX, height_, 1);
    return {};
}

} // namespace rearview::stages
