#version 460
// Vignette on the working image, in place: colour times 1 - amount * smoothstep(radius,
// radius + feather, r), r the distance from the panel centre in half-diagonals (1 at the
// corners). The same formula as cpu::Vignette.
#extension GL_GOOGLE_include_directive : require
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
    const vec2 half_ = 0.5 * vec2(pc.width, pc.height);
    const float r = length((vec2(p) + 0.5 - half_) / length(half_));
    const float gain = 1.0 - pc.amount * smoothstep(pc.radius, pc.radius + pc.feather, r);
    const uint i = p.y * pc.width + p.x;
    texels[i] = packRgb8(unpackRgb8(texels[i]) * gain);
}
