// The beauty stage's low-resolution grid (see src/cpu/beauty.hpp): one vec4 per
// kCell x kCell-pixel cell (4 on the panel, more for a photo: core/beauty_grid.hpp), row-major,
// read with clamp-to-edge.
#ifndef REARVIEW_BEAUTY_GRID_GLSL
#define REARVIEW_BEAUTY_GRID_GLSL

layout(constant_id = 0) const uint kCell = 4u; // even
const int kRadius = 2;
const float kInvWindow = 1.0 / 25.0;

// Small unsigned integers as floats via 2^23: lavapipe scalarises conversion instructions.
vec3 uintToFloat(uvec3 v) { return uintBitsToFloat(v | 0x4B000000u) - 8388608.0; }
float uintToFloat(uint v) { return uintBitsToFloat(v | 0x4B000000u) - 8388608.0; }

// Pixel p lies between the cells whose centres, kCell i + kCell / 2, surround its centre:
// the lower one's index and p's fraction of the way to the next.
int cellBelow(uint p) { return int((p + kCell / 2u) / kCell) - 1; }
float cellFraction(uint p) { return (uintToFloat((p + kCell / 2u) % kCell) + 0.5) * (1.0 / float(kCell)); }

uint cellIndex(ivec2 at, uvec2 grid) {
    const uvec2 c = uvec2(clamp(at, ivec2(0), ivec2(grid) - 1));
    return c.y * grid.x + c.x;
}

#endif
