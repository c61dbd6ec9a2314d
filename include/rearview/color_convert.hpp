// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>
#include <rearview/gpu.hpp>
#include <rearview/image.hpp>

#include <memory>

namespace rearview {

/// Converts NV12 frames of one size to packed RGBA on the GPU (one compute dispatch), using
/// the exact YCbCr→R'G'B' equations of the frame's ColorSpace. Reuses its buffers between
/// calls; create one per frame size.
class REARVIEW_API Nv12ToRgbaConverter {
public:
    /// Sizes may be odd; `stride` is the NV12 row stride in bytes of the frames to come.
    static Result<Nv12ToRgbaConverter> create(GpuContext& gpu, uint32_t width, uint32_t height,
                                              uint32_t stride);

    Nv12ToRgbaConverter(Nv12ToRgbaConverter&&) noexcept;
    Nv12ToRgbaConverter& operator=(Nv12ToRgbaConverter&&) noexcept;
    ~Nv12ToRgbaConverter();

    /// Uploads `src`, converts it and reads the result back into `dst` (resized as needed).
    /// Blocks until the GPU is done.
    Result<void> convert(const Nv12View& src, RgbaImage& dst);

    /// GPU time of the last conversion's dispatch in milliseconds, from timestamp queries.
    double lastGpuMs() const;

    struct Impl;

private:
    explicit Nv12ToRgbaConverter(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace rearview
