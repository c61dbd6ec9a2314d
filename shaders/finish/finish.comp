#version 460
// The per-pixel looks of a pipeline list run in one pass from one working image into another
// (or in place, the same buffer bound twice):
// up to one LUT, one vignette and one grain, in the list's order (pc.ops), each rounded to
// 8 bits as the stage alone writes it, so the pass gives what the stages one after the other
// give (and each stage's CPU reference and tolerance still hold) while the image is read and
// written once instead of once per stage.
#extension GL_EXT_samplerless_texture_functions : require
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 64) in;

// The LUT's interpolation: 0 trilinear, 1 tetrahedral.
layout(constant_id = 0) const uint kTetrahedral = 1u;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };
layout(set = 0, binding = 2) uniform texture3D lut;

#include "finishing.glsl"
#include "lut3d.glsl"
#include "rgba8.glsl"

const uint kOpLut = 1u, kOpVignette = 2u, kOpGrain = 3u;

layout(push_constant) uniform Params {
    uint width, height;
    uint ops;  // op k in bits 4k..4k+3 (kOp*), 0 ends the list
    uint seed; // grain's, per frame
    vec4 lutScale, lutOffset;            // as shaders/lut3d/lut3d.comp's scale and offset
    float amount, radius, feather;       // vignette
    float grainAmount, grainInvSize;     // grain
    uint originY, fullHeight;            // the image is rows originY.. of one fullHeight tall
} pc;

void main() {
    // One row per workgroup row; invocations past the row's end redo its last pixel and store
    // nothing: a clamp, not an early return, so the loads stay unmasked on lavapipe.
    const uvec2 p = uvec2(min(gl_GlobalInvocationID.x, pc.width - 1u), gl_GlobalInvocationID.y);
    const uint i = p.y * pc.width + p.x;
    const uint pixel = src[i];
    uvec3 q = uvec3(pixel, pixel >> 8, pixel >> 16) & 0xFFu;
    uint alpha = pixel & 0xFF000000u;
    for (uint ops = pc.ops; ops != 0u; ops >>= 4) {
        const uint op = ops & 0xFu;
        if (op == kOpLut) {
            q = lutApply(q, pc.lutScale, pc.lutOffset);
        } else {
            const vec3 rgb = vec3(q) * (1.0 / 255.0);
            const uvec2 at = uvec2(p.x, p.y + pc.originY); // in the whole image
            const vec3 c = op == kOpVignette ? vignette(rgb, at, uvec2(pc.width, pc.fullHeight), pc.amount, pc.radius, pc.feather)
                                             : grain(rgb, at, pc.grainAmount, pc.grainInvSize, pc.seed);
            const uint packed = packRgb8(c);
            q = uvec3(packed, packed >> 8, packed >> 16) & 0xFFu;
            alpha = 0xFF000000u; // the finishing looks write opaque pixels
        }
    }
    if (gl_GlobalInvocationID.x < pc.width)
        dst[i] = q.r | (q.g << 8) | (q.b << 16) | alpha;
}
