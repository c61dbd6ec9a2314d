#version 460
// Beauty step 2, per cell: the self-guided filter's coefficients (a, b) over a 5x5-cell
// window and the skin mask (YCbCr skin colour, weighted by face boxes), with the window
// mean: (a, b, mask, mean).
#include "beauty_grid.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Cells { vec4 cells[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Coeffs { vec4 coeffs[]; };

layout(push_constant) uniform Params {
    uint gridW, gridH;
    float eps;           // guided filter regularisation
    float faceGain;      // mask gain inside a face box
    float otherGain;     // outside every face box (1 without faces)
    uint faceCount;      // 0..8
    uint pad0, pad1;
    uvec2 faces[8];      // cell ranges: x: x0 | x1 << 16, y: y0 | y1 << 16, half-open
} pc;

float softRange(float v, float lo, float hi) {
    return clamp((v - lo) * 0.125 + 0.5, 0.0, 1.0) * clamp((hi - v) * 0.125 + 0.5, 0.0, 1.0);
}

float skinColour(vec3 c) {
    const float lit = clamp((c.x * 255.0 - 30.0) * (1.0 / 30.0), 0.0, 1.0);
    return softRange(c.y, 77.0, 127.0) * softRange(c.z, 133.0, 173.0) * lit;
}

void main() {
    const uvec2 grid = uvec2(pc.gridW, pc.gridH);
    const uvec2 cell = min(gl_GlobalInvocationID.xy, grid - 1u);
    float sI = 0.0, sII = 0.0;
    for (int dy = -kRadius; dy <= kRadius; ++dy)
        for (int dx = -kRadius; dx <= kRadius; ++dx) {
            const float v = cells[cellIndex(ivec2(cell) + ivec2(dx, dy), grid)].x;
            sI += v;
            sII += v * v;
        }
    const float mean = sI * kInvWindow;
    const float var = max(sII * kInvWindow - mean * mean, 0.0);
    const float a = var / (var + pc.eps);
    const float b = mean - a * mean;

    float gain = pc.otherGain;
    for (uint f = 0u; f < pc.faceCount; ++f) {
        const uvec2 r = pc.faces[f];
        const uvec2 lo = r & 0xFFFFu, hi = r >> 16;
        if (all(greaterThanEqual(cell, lo)) && all(lessThan(cell, hi)))
            gain = pc.faceGain;
    }
    const float mask = min(skinColour(cells[cell.y * grid.x + cell.x].xyz) * gain, 1.0);
    if (all(lessThan(gl_GlobalInvocationID.xy, grid)))
        coeffs[cell.y * grid.x + cell.x] = vec4(a, b, mask, mean);
}
