// The beauty stage's low-resolution grid (see src/cpu/beauty.hpp): one vec4 per 4x4-pixel
// cell, row-major, read with clamp-to-edge.
#ifndef REARVIEW_BEAUTY_GRID_GLSL
#define REARVIEW_BEAUTY_GRID_GLSL

const uint kCell = 4u;
const int kRadius = 2;
const float kInvWindow = 1.0 / 25.0;

// Small unsigned integers as floats via 2^23: lavapipe scalarises conversion instructions.
vec3 uintToFloat(uvec3 v) { return uintBitsToFloat(v | 0x4B000000u) - 8388608.0; }
float uintToFloat(uint v) { return uintBitsToFloat(v | 0x4B000000u) - 8388608.0; }

uint cellIndex(ivec2 at, uvec2 grid) {
    const uvec2 c = uvec2(clamp(at, ivec2(0), ivec2(grid) - 1));
    return c.y * grid.x + c.x;
}

#endif
