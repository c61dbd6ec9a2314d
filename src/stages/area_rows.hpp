// SPDX-License-Identifier: MIT
// Host side of shaders/crop_scale/crop_scale_vertical.comp, the vertical half of the area
// downscale shared by the viewfinder's crop_scale and the record branch's record_scale: its
// push constants, its pipeline and the strips of a plane row it covers.
#pragma once

#include "gpu/compute_pipeline.hpp"

#include <cmath>
#include <cstdint>

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

/// The 16-byte strips of a plane row that cover byte columns [lo, hi).
struct Strips {
    uint32_t firstByte, count;
};
inline Strips stripsCovering(double lo, double hi) {
    const uint32_t first = uint32_t(std::floor(lo)) & ~15u;
    return {first, (uint32_t(std::ceil(hi)) - first + 15) / 16};
}

} // namespace rearview::stages
