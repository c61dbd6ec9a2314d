#version 460
// Beauty step 3: the 5x5-cell box mean of (a, b, mask, mean), so the filter's output and
// the mask vary smoothly over the image.
#include "beauty_grid.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Coeffs { vec4 coeffs[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Smooth { vec4 smoothed[]; };

layout(push_constant) uniform Params {
    uint gridW, gridH;
} pc;

void main() {
    const uvec2 grid = uvec2(pc.gridW, pc.gridH);
    const uvec2 cell = min(gl_GlobalInvocationID.xy, grid - 1u);
    vec4 s = vec4(0.0);
    for (int dy = -kRadius; dy <= kRadius; ++dy)
        for (int dx = -kRadius; dx <= kRadius; ++dx)
            s += coeffs[cellIndex(ivec2(cell) + ivec2(dx, dy), grid)];
    if (all(lessThan(gl_GlobalInvocationID.xy, grid)))
        smoothed[cell.y * grid.x + cell.x] = s * kInvWindow;
}
