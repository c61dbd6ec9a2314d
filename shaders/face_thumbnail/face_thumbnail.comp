#version 460
// The face detector's input: a half-size grey thumbnail of the working image. Each output
// pixel is the mean BT.601 luma of a 2x2 block (edge pixels repeated for odd sizes); one
// invocation writes four neighbouring pixels as one uint, so no byte stores are needed.
#extension GL_GOOGLE_include_directive : require
#include "rgba8.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Image { uint texels[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Thumb { uint grey[]; };

layout(push_constant) uniform Params {
    uint width, height;   // working image
    uint thumbWidth, thumbHeight;
    uint strideWords;     // thumbnail row stride in uints
} pc;

float luma(uint x, uint y) {
    const vec3 rgb = unpackRgb8(texels[min(y, pc.height - 1u) * pc.width + min(x, pc.width - 1u)]);
    return dot(rgb, vec3(0.299, 0.587, 0.114));
}

void main() {
    const uint word = gl_GlobalInvocationID.x, ty = gl_GlobalInvocationID.y;
    if (word >= pc.strideWords || ty >= pc.thumbHeight)
        return;
    uint packed = 0u;
    for (uint k = 0u; k < 4u; ++k) {
        const uint tx = min(word * 4u + k, pc.thumbWidth - 1u);
        const uint x = tx * 2u, y = ty * 2u;
        const float mean = 0.25 * (luma(x, y) + luma(x + 1u, y) + luma(x, y + 1u) + luma(x + 1u, y + 1u));
        packed |= (floatBitsToUint(mean * 255.0 + 8388608.0) & 0xFFu) << (8u * k);
    }
    grey[ty * pc.strideWords + word] = packed;
}
