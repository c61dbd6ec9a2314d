#version 460
// Film grain on the working image, in place (shaders/common/finishing.glsl's formula, the
// same as cpu::Grain): every frame differs, and a seed reproduces one.
#extension GL_GOOGLE_include_directive : require
#include "finishing.glsl"
#include "rgba8.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) buffer Image { uint texels[]; };

layout(push_constant) uniform Params {
    uint width, height;
    float amount;
    float invSize; // 1 / cell size in pixels (1..8)
    uint seed;
} pc;

void main() {
    const uvec2 p = gl_GlobalInvocationID.xy;
    if (p.x >= pc.width || p.y >= pc.height)
        return;
    const uint i = p.y * pc.width + p.x;
    texels[i] = packRgb8(grain(unpackRgb8(texels[i]), p, pc.amount, pc.invSize, pc.seed));
}
