#version 460
// Film grain on the working image, in place: one uniform random value per size x size cell
// (an integer hash of the cell and the frame's seed, so every frame differs and a seed
// reproduces one), added to all three channels, strongest in the midtones. The same
// formula as cpu::Grain.
#extension GL_GOOGLE_include_directive : require
#include "rgba8.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) buffer Image { uint texels[]; };

layout(push_constant) uniform Params {
    uint width, height;
    float amount;
    float invSize; // 1 / cell size in pixels (1..8)
    uint seed;
} pc;

// PCG hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
uint pcg(uint v) {
    const uint state = v * 747796405u + 2891336453u;
    const uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

void main() {
    const uvec2 p = gl_GlobalInvocationID.xy;
    if (p.x >= pc.width || p.y >= pc.height)
        return;
    // p / size without an integer division or a float->int conversion (both scalarised on
    // lavapipe): (p + 0.5) / size is at least 1/16 away from an integer, so the float floor
    // is exact, and adding 2^23 leaves it in the mantissa.
    const uvec2 cell = floatBitsToUint(floor((vec2(p) + 0.5) * pc.invSize) + 8388608.0) & 0x7FFFFFu;
    const uint h = pcg(cell.x ^ pcg(cell.y ^ pcg(pc.seed)));
    const float noise = float(h & 0xFFFFu) * (1.0 / 65535.0) - 0.5;
    const uint i = p.y * pc.width + p.x;
    const vec3 rgb = unpackRgb8(texels[i]);
    const float luma = dot(rgb, vec3(0.2126, 0.7152, 0.0722));
    const float weight = 4.0 * luma * (1.0 - luma);
    texels[i] = packRgb8(rgb + pc.amount * 0.25 * (0.25 + 0.75 * weight) * noise);
}
