// SPDX-License-Identifier: MIT
// Host side of shaders/crop_scale/crop_scale_vertical.comp, the vertical half of the area
// downscale shared by the viewfinder's crop_scale and the record branch's record_scale: its
// push constants, its pipeline and the strips of a plane row it covers.
#pragma once

#include "gpu/compute_pipeline.hpp"
#include "stages/nv12_to_rgba.hpp"

#include <cmath>
#include <cstdint>
#include <format>

namespace rearview::stages {

/// One plane of crop_scale_vertical.comp's push constants (its Plane, same order).
struct VerticalPlane {
    uint32_t srcBase, srcStride, strips, rowEnd, rows, dstBase, dstStride;
    float top, step, norm;
};
struct VerticalPush {
    VerticalPlane plane[2];
};

/// crop_scale_vertical.comp's pipeline: the frame and the rows it writes as its two buffers.
inline Result<gpu::ComputePipeline> createVerticalPipeline(gpu::Device& device) {
    return gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::crop_scale_vertical, 2, sizeof(VerticalPush));
}

/// What the vertical pass needs of the frame it reads: 8-byte aligned strides and CbCr
/// offset, rows as long as the frame, and a crop (x, y, width, height) inside it. `stage`
/// names the caller in the error.
inline Result<void> checkAreaSource(const Nv12Buffer& src, const char* stage, double x, double y, double width,
                                    double height) {
    if (src.yStride % 8 || src.uvOffset % 8 || src.uvStride % 8)
        return fail(ErrorCode::InvalidArgument,
                    std::format("{} reads 8-byte units: Y stride {}, CbCr offset {} and CbCr stride {} must be "
                                "multiples of 8",
                                stage, src.yStride, src.uvOffset, src.uvStride));
    if (src.yStride < src.width || src.uvStride < (src.width + 1) / 2 * 2)
        return fail(ErrorCode::InvalidArgument, std::format("strides {} / {} are shorter than a {}-pixel row",
                                                            src.yStride, src.uvStride, src.width));
    if (x < 0 || y < 0 || x + width > src.width + 1e-6 || y + height > src.height + 1e-6)
        return fail(ErrorCode::InvalidArgument, std::format("crop {:.2f},{:.2f} {:.2f}x{:.2f} is not inside the {}x{} frame",
                                                            x, y, width, height, src.width, src.height));
    return {};
}

/// The 16-byte strips of a plane row that cover byte columns [lo, hi).
struct Strips {
    uint32_t firstByte, count;
};
inline Strips stripsCovering(double lo, double hi) {
    const uint32_t first = uint32_t(std::floor(lo)) & ~15u;
    return {first, (uint32_t(std::ceil(hi)) - first + 15) / 16};
}

} // namespace rearview::stages
