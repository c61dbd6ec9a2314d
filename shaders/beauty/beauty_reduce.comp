#version 460
// Beauty step 1: the working image averaged over kCell x kCell-pixel cells into luma (0..1) and
// BT.601 full-range chroma (0..255), one invocation per cell.
#include "beauty_grid.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Cells { vec4 cells[]; };

layout(push_constant) uniform Params {
    uint width, height;   // image
    uint gridW, gridH;    // cells
} pc;

void main() {
    // Invocations past the grid redo its last cell and store nothing: loads stay unmasked.
    const uvec2 cell = min(gl_GlobalInvocationID.xy, uvec2(pc.gridW, pc.gridH) - 1u);
    vec3 sum = vec3(0.0);
    for (uint dy = 0u; dy < kCell; ++dy) {
        const uint row = min(cell.y * kCell + dy, pc.height - 1u) * pc.width;
        for (uint dx = 0u; dx < kCell; ++dx) {
            const uint p = src[row + min(cell.x * kCell + dx, pc.width - 1u)];
            sum += uintToFloat(uvec3(p, p >> 8, p >> 16) & 0xFFu);
        }
    }
    const vec3 c = sum * (1.0 / float(kCell * kCell));
    const float y = (0.299 * c.r + 0.587 * c.g + 0.114 * c.b) * (1.0 / 255.0);
    const float cb = 128.0 + (-0.168736 * c.r - 0.331264 * c.g + 0.5 * c.b);
    const float cr = 128.0 + (0.5 * c.r - 0.418688 * c.g - 0.081312 * c.b);
    if (all(lessThan(gl_GlobalInvocationID.xy, uvec2(pc.gridW, pc.gridH))))
        cells[cell.y * pc.gridW + cell.x] = vec4(y, cb, cr, 0.0);
}
