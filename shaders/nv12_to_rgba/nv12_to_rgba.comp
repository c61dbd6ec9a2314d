#version 460
// NV12 -> packed RGBA8, one invocation per 2x2 block sharing one CbCr sample.
// Input: the whole NV12 buffer as bytes (any stride, odd sizes). Output: width*height uints.
#extension GL_EXT_shader_8bit_storage : require
#extension GL_GOOGLE_include_directive : require
#include "ycbcr.glsl"

layout(local_size_x = 16, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint8_t src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    uint width;
    uint height;
    uint yStride;
    uint uvOffset;
    uint uvStride;
    YcbcrCoefficients k;
} pc;

float sampleAt(uint index) { return float(uint(src[index])); }

void main() {
    uvec2 block = gl_GlobalInvocationID.xy;
    uint x0 = block.x * 2u, y0 = block.y * 2u;
    if (x0 >= pc.width || y0 >= pc.height)
        return;
    uint c = pc.uvOffset + block.y * pc.uvStride + block.x * 2u;
    float cb = sampleAt(c), cr = sampleAt(c + 1u);
    for (uint dy = 0u; dy < 2u; ++dy) {
        uint y = y0 + dy;
        if (y >= pc.height)
            break;
        for (uint dx = 0u; dx < 2u; ++dx) {
            uint x = x0 + dx;
            if (x >= pc.width)
                break;
            vec3 rgb = ycbcrToRgb(sampleAt(y * pc.yStride + x), cb, cr, pc.k);
            dst[y * pc.width + x] = packUnorm4x8(vec4(rgb, 1.0));
        }
    }
}
