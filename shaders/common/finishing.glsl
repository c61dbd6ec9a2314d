// The finishing looks' arithmetic (shaders/vignette, shaders/grain, shaders/finish): the same
// formulas as cpu::Vignette and cpu::Grain, on colours in [0, 1].
#ifndef REARVIEW_FINISHING_GLSL
#define REARVIEW_FINISHING_GLSL

// Colour times 1 - amount * smoothstep(radius, radius + feather, r), r the distance of pixel
// p from the centre of a `size` image in half-diagonals (1 at the corners).
vec3 vignette(vec3 rgb, uvec2 p, uvec2 size, float amount, float radius, float feather) {
    const vec2 half_ = 0.5 * vec2(size);
    const float r = length((vec2(p) + 0.5 - half_) / length(half_));
    return rgb * (1.0 - amount * smoothstep(radius, radius + feather, r));
}

// PCG hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020).
uint pcg(uint v) {
    const uint state = v * 747796405u + 2891336453u;
    const uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// One uniform random value per cell of 1 / invSize pixels (an integer hash of the cell and
// the frame's seed), added to all three channels, strongest in the midtones.
vec3 grain(vec3 rgb, uvec2 p, float amount, float invSize, uint seed) {
    // p / size without an integer division or a float->int conversion (both scalarised on
    // lavapipe): (p + 0.5) / size is at least 1/16 away from an integer, so the float floor
    // is exact, and adding 2^23 leaves it in the mantissa.
    const uvec2 cell = floatBitsToUint(floor((vec2(p) + 0.5) * invSize) + 8388608.0) & 0x7FFFFFu;
    const uint h = pcg(cell.x ^ pcg(cell.y ^ pcg(seed)));
    const float noise = float(h & 0xFFFFu) * (1.0 / 65535.0) - 0.5;
    const float luma = dot(rgb, vec3(0.2126, 0.7152, 0.0722));
    const float weight = 4.0 * luma * (1.0 - luma);
    return rgb + amount * 0.25 * (0.25 + 0.75 * weight) * noise;
}

#endif
