// SPDX-License-Identifier: MIT
// A recording's look when its record list is one 3D LUT: the scaled NV12 frame through the
// LUT into the encoder's NV12 frame in one pass (shaders/record_lut/record_lut.comp), instead
// of NV12 -> RGBA, the LUT, RGBA -> NV12.
#pragma once

#include "gpu/compute_pipeline.hpp"
#include "stages/lut3d.hpp"
#include "stages/nv12_to_rgba.hpp"

namespace rearview::stages {

/// One pass that gives what Nv12ToRgba, Lut3d and RgbaToNv12 one after the other give (each
/// step rounds as that stage does; a value on a rounding boundary may land 1 code value
/// apart where the compiler contracts the chroma mean differently, measured on 2 of 345,600
/// bytes), with no RGBA image between them. Both interpolation variants are built at create().
class RecordLut {
public:
    RecordLut() = default; ///< empty until assigned from create()
    static Result<RecordLut> create(gpu::Device& device);

    /// Whether frames of this size and layout can take the one-pass path: a width that is a
    /// multiple of 4, an even height, and offsets and strides in 4-byte units.
    static bool fits(const Nv12Buffer& frame);

    /// Records `src` (decoded in its colour space) through `lut` with `params`' interpolation
    /// and strength into `dst` (encoded in its colour space), which has `src`'s size and
    /// layout. InvalidArgument when fits() says no or the two layouts differ, Lut3d's errors.
    Result<void> record(VkCommandBuffer cmd, const Nv12Buffer& src, const Nv12Buffer& dst, const Lut3d& lut,
                        const LutParams& params) const;

private:
    gpu::ComputePipeline trilinear_, tetrahedral_;
};

} // namespace rearview::stages
