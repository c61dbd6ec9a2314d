#version 460
// A recording's look when it is one 3D LUT: NV12 -> R'G'B' -> LUT -> NV12 in one pass, one
// invocation per 4x2 pixel block (one uint of each of its two Y rows and of its CbCr row, read
// and written). Each step rounds as the three stages it replaces do (nv12_to_rgba to 8-bit
// R'G'B', the LUT to 8 bits, rgba_to_nv12 to code values, chroma from the 2x2 mean), so the
// result is theirs, without the RGBA image between them. Width a multiple of 4, height even;
// both frames have the same layout.
#extension GL_EXT_samplerless_texture_functions : require
#extension GL_GOOGLE_include_directive : require

layout(local_size_x = 16, local_size_y = 4) in;

// The LUT's interpolation: 0 trilinear, 1 tetrahedral.
layout(constant_id = 0) const uint kTetrahedral = 1u;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };
layout(set = 0, binding = 2) uniform texture3D lut;

#include "lut3d.glsl"
#include "ycbcr.glsl"

layout(push_constant) uniform Params {
    uint width;    // pixels, a multiple of 4
    uint height;   // even
    uint yStride;  // uints per Y row
    uint uvOffset; // uint index of the CbCr plane
    uint uvStride; // uints per CbCr row
    YcbcrCoefficients k; // the source's decoding
    YcbcrEncoding e;     // the destination's encoding
    vec4 lutScale, lutOffset; // as shaders/lut3d/lut3d.comp's scale and offset
} pc;

void main() {
    const uvec2 b = gl_GlobalInvocationID.xy;
    if (b.x * 4u >= pc.width || b.y * 2u >= pc.height)
        return;
    const uint uvAt = pc.uvOffset + b.y * pc.uvStride + b.x;
    const uint c = src[uvAt];
    const vec2 chroma[2] = vec2[2](vec2(c & 0xFFu, (c >> 8) & 0xFFu), vec2((c >> 16) & 0xFFu, c >> 24));
    uint ys[2];
    vec3 blocks[2] = vec3[2](vec3(0.0), vec3(0.0));
    for (uint r = 0u; r < 2u; ++r) {
        const uint at = (b.y * 2u + r) * pc.yStride + b.x;
        const uint yw = src[at];
        vec3 px[4];
        uint packedY = 0u;
        for (uint i = 0u; i < 4u; ++i) {
            const vec2 cc = chroma[i >> 1];
            const uint rgb8 = packUnorm4x8(vec4(ycbcrToRgb(float((yw >> (8u * i)) & 0xFFu), cc.x, cc.y, pc.k), 1.0));
            const uvec3 q = lutApply(uvec3(rgb8, rgb8 >> 8, rgb8 >> 16) & 0xFFu, pc.lutScale, pc.lutOffset);
            px[i] = vec3(q) * (1.0 / 255.0);
            packedY |= codeToByte(lumaCode(px[i], pc.e)) << (8u * i);
        }
        ys[r] = packedY;
        // Summed in rgba_to_nv12.comp's order, so the chroma rounds as it does there.
        blocks[0] += px[0] + px[1];
        blocks[1] += px[2] + px[3];
    }
    const vec2 c0 = chromaCodes(blocks[0] * 0.25, pc.e), c1 = chromaCodes(blocks[1] * 0.25, pc.e);
    dst[b.y * 2u * pc.yStride + b.x] = ys[0];
    dst[(b.y * 2u + 1u) * pc.yStride + b.x] = ys[1];
    dst[uvAt] = codeToByte(c0.x) | (codeToByte(c0.y) << 8) | (codeToByte(c1.x) << 16) | (codeToByte(c1.y) << 24);
}
