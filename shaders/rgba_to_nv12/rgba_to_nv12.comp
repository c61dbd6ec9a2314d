#version 460
// Packed RGBA8 working image -> NV12 with the exact matrix and range of a colour space:
// one invocation per 4x2 pixel block writes one uint of each of its two Y rows and one uint
// (two Cb, Cr pairs, each the mean of a 2x2 block's R'G'B') of its CbCr row. Even width and
// height; for a width of 2 mod 4 the last block's second pair repeats its first (the bytes
// land in the row padding the layout requires).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "ycbcr.glsl"
#include "rgba8.glsl"

layout(local_size_x = 16, local_size_y = 4) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint64_t src[]; }; // two RGBA8 pixels each
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    uint width;     // pixels, even
    uint height;    // even
    uint yStride;   // uints per Y row
    uint uvOffset;  // uint index of the CbCr plane
    uint uvStride;  // uints per CbCr row
    YcbcrEncoding e;
} pc;

void main() {
    const uvec2 b = gl_GlobalInvocationID.xy;
    if (b.x * 4u >= pc.width || b.y * 2u >= pc.height)
        return;
    const uint pairs = pc.width / 2u;
    const uint p0 = b.x * 2u, p1 = min(p0 + 1u, pairs - 1u); // pixel pairs of the block
    uint ys[2];
    vec3 blocks[2] = vec3[2](vec3(0.0), vec3(0.0));
    for (uint r = 0u; r < 2u; ++r) {
        const uint row = (b.y * 2u + r) * pairs;
        const uvec2 a = unpackUint2x32(src[row + p0]), c = unpackUint2x32(src[row + p1]);
        const vec3 px[4] = vec3[4](unpackRgb8(a.x), unpackRgb8(a.y), unpackRgb8(c.x), unpackRgb8(c.y));
        ys[r] = codeToByte(lumaCode(px[0], pc.e)) | (codeToByte(lumaCode(px[1], pc.e)) << 8) |
                (codeToByte(lumaCode(px[2], pc.e)) << 16) | (codeToByte(lumaCode(px[3], pc.e)) << 24);
        blocks[0] += px[0] + px[1];
        blocks[1] += px[2] + px[3];
    }
    const vec2 c0 = chromaCodes(blocks[0] * 0.25, pc.e), c1 = chromaCodes(blocks[1] * 0.25, pc.e);
    dst[b.y * 2u * pc.yStride + b.x] = ys[0];
    dst[(b.y * 2u + 1u) * pc.yStride + b.x] = ys[1];
    dst[pc.uvOffset + b.y * pc.uvStride + b.x] = codeToByte(c0.x) | (codeToByte(c0.y) << 8) | (codeToByte(c1.x) << 16) |
                                                  (codeToByte(c1.y) << 24);
}
