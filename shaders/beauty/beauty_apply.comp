#version 460
// Beauty step 4, per pixel: smoothed luma from the guided filter's coefficients (bilinear
// from the grid), blended in through the skin mask, skin tone, unsharp mask outside skin;
// the luma change is added to R, G and B alike, so chroma is preserved.
#include "beauty_grid.glsl"

layout(local_size_x = 64, local_size_y = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) readonly buffer Smooth { vec4 smoothed[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    uint width, height;
    uint gridW, gridH;
    float smoothing, tone, sharpen;
} pc;

float luma(uint p) {
    const vec3 c = uintToFloat(uvec3(p, p >> 8, p >> 16) & 0xFFu);
    return (0.299 * c.r + 0.587 * c.g + 0.114 * c.b) * (1.0 / 255.0);
}

void main() {
    const uint x = min(gl_GlobalInvocationID.x, pc.width - 1u);
    const uint y = gl_GlobalInvocationID.y;
    const uint row = y * pc.width;
    const uint pixel = src[row + x];
    const uint rowUp = uint(max(int(y) - 1, 0)) * pc.width, rowDown = min(y + 1u, pc.height - 1u) * pc.width;
    const float l = luma(pixel);
    const uint left = row + uint(max(int(x) - 1, 0)), right = row + min(x + 1u, pc.width - 1u);
    const float base =
        (4.0 * l + luma(src[left]) + luma(src[right]) + luma(src[rowUp + x]) + luma(src[rowDown + x])) * 0.125;

    const uvec2 grid = uvec2(pc.gridW, pc.gridH);
    const ivec2 r = ivec2(cellBelow(x), cellBelow(y));
    const vec2 f = vec2(cellFraction(x), cellFraction(y));
    const vec4 c00 = smoothed[cellIndex(r, grid)], c10 = smoothed[cellIndex(r + ivec2(1, 0), grid)];
    const vec4 c01 = smoothed[cellIndex(r + ivec2(0, 1), grid)], c11 = smoothed[cellIndex(r + ivec2(1, 1), grid)];
    const vec4 c = mix(mix(c00, c10, f.x), mix(c01, c11, f.x), f.y);

    const float m = clamp(c.z, 0.0, 1.0);
    const float q = c.x * l + c.y;
    const float ys = l + pc.smoothing * m * (q - l);
    const float y1 = ys + pc.tone * m * (0.25 * (c.w - ys) + 0.1 * (1.0 - ys));
    const float y2 = y1 + pc.sharpen * (1.0 - m) * (l - base);
    const float delta = (y2 - l) * 255.0;

    const vec3 rgb = uintToFloat(uvec3(pixel, pixel >> 8, pixel >> 16) & 0xFFu);
    const uvec3 q8 = floatBitsToUint(clamp(rgb + delta, 0.0, 255.0) + 8388608.0) & 0xFFu;
    if (gl_GlobalInvocationID.x < pc.width)
        dst[row + x] = q8.r | (q8.g << 8) | (q8.b << 16) | (pixel & 0xFF000000u);
}
