#version 460
// Vignette on the working image, in place (shaders/common/finishing.glsl's formula, the same
// as cpu::Vignette).
#extension GL_GOOGLE_include_directive : require
#include "finishing.glsl"
#include "rgba8.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) buffer Image { uint texels[]; };

layout(push_constant) uniform Params {
    uint width, height;
    float amount, radius, feather;
} pc;

void main() {
    const uvec2 p = gl_GlobalInvocationID.xy;
    if (p.x >= pc.width || p.y >= pc.height)
        return;
    const uint i = p.y * pc.width + p.x;
    texels[i] = packRgb8(vignette(unpackRgb8(texels[i]), p, uvec2(pc.width, pc.height), pc.amount, pc.radius,
                                  pc.feather));
}
