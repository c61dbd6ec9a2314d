#version 460
// 3D LUT colour filter on the packed RGBA8 working image (R in the low byte), one
// invocation per pixel; alpha is kept. The arithmetic is shaders/common/lut3d.glsl's.
#extension GL_EXT_samplerless_texture_functions : require
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 64, local_size_y = 1) in;

// 0: trilinear (8 grid points), 1: tetrahedral (4 grid points).
layout(constant_id = 0) const uint kTetrahedral = 1u;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };
layout(set = 0, binding = 2) uniform texture3D lut;

#include "lut3d.glsl"

layout(push_constant) uniform Params {
    vec4 scale;  // xyz: LUT coordinate per code value, (size - 1) / (255 (max - min)); w: strength
    vec4 offset; // xyz: -min (size - 1) / (max - min); w: size - 1
    uint width;
    uint height;
} pc;

void main() {
    // Invocations past the row's end redo its last pixel and store nothing: a clamp, not an
    // early return, so the loads stay unmasked on lavapipe.
    const uint x = min(gl_GlobalInvocationID.x, pc.width - 1u);
    const uint i = gl_GlobalInvocationID.y * pc.width + x;
    const uint pixel = src[i];
    const uvec3 q = lutApply(uvec3(pixel, pixel >> 8, pixel >> 16) & 0xFFu, pc.scale, pc.offset);
    if (gl_GlobalInvocationID.x < pc.width)
        dst[i] = q.r | (q.g << 8) | (q.b << 16) | (pixel & 0xFF000000u);
}
