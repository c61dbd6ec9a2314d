// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/cube_lut.hpp>
#include <rearview/pipeline.hpp>
#include "gpu/compute_pipeline.hpp"
#include "gpu/image.hpp"

namespace rearview::stages {

/// The colour filter's look: a 3D LUT applied to the packed RGBA8 working image (see
/// CropScale), alpha kept, blended with the input by a strength.
///
/// The LUT lives in a 3D image of RGBA32F texels (x = red, y = green, z = blue), uploaded
/// once per setLut(). The shader fetches grid points with texelFetch and interpolates them
/// itself, trilinearly or tetrahedrally (FFmpeg vf_lut3d's definitions; both pipelines are
/// built at create(), so switching costs nothing), in 32-bit float, then rounds once.
/// Precision against the double-precision reference cpu::Lut3d: the texels hold the LUT's
/// floats exactly and float coordinates, weights and blending add well under 0.01 code values,
/// so results differ by at most 1 code value, where the exact value is within that of a
/// rounding boundary or exactly on one (the shader rounds ties to even, the reference
/// away from zero); measured on the tests' images: 0.001-0.03 % of values at strength 1.
/// Strength 0 is exact.
class Lut3d {
public:
    Lut3d() = default; ///< empty until assigned from create()
    static Result<Lut3d> create(gpu::Device& device);

    /// Uploads `lut` for every later record(). A LUT in use by submitted work is freed only
    /// once that work has completed. Errors: InvalidArgument for a malformed CubeLut.
    Result<void> setLut(const CubeLut& lut);
    bool hasLut() const { return bool(lut_.image); }

    /// Records the stage: `src` (width x height packed RGBA8 uints) graded into `dst`, which
    /// may be the same range (in place), with `params`' interpolation and strength (0 passes
    /// the image through bit-exactly); both may change every frame. `params.file` is not
    /// read: the LUT is the one given to setLut(). Fails without a LUT, for a strength
    /// outside 0..1 or ranges smaller than the image.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst,
                        uint32_t width, uint32_t height, const LutParams& params) const;

    /// What a shader applying the LUT takes (shaders/common/lut3d.glsl's lutApply()): the
    /// image, and the coordinate scale (w: `strength`) and offset (w: size - 1).
    struct Binding {
        VkDescriptorImageInfo image{};
        float scale[4] = {};
        float offset[4] = {};
    };
    /// InvalidArgument without a LUT or for a strength outside 0..1.
    Result<Binding> binding(float strength) const;

private:
    /// The LUT image, retired rather than destroyed when replaced or dropped: its upload or
    /// frames reading it may still be in flight.
    struct Texture {
        gpu::Device* device = nullptr;
        gpu::Image image;
        Texture() = default;
        Texture(Texture&&) noexcept = default;
        Texture& operator=(Texture&& o) noexcept {
            retire();
            device = o.device;
            image = std::move(o.image);
            return *this;
        }
        ~Texture() { retire(); }
        void retire() {
            if (device && image)
                device->deferred().retire(device->lastTimelineValue(), std::move(image));
        }
    };

    gpu::Device* device_ = nullptr;
    gpu::ComputePipeline trilinear_;
    gpu::ComputePipeline tetrahedral_;
    Texture lut_;
    float coordScale_[3] = {};
    float coordOffset_[3] = {};
    float last_ = 0; ///< size - 1
};

} // namespace rearview::stages
