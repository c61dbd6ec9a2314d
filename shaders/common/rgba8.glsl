// The working image's texels: packed RGBA8 (R in the low byte), opaque.
#ifndef REARVIEW_RGBA8_GLSL
#define REARVIEW_RGBA8_GLSL

vec3 unpackRgb8(uint texel) {
    return vec3(texel & 0xFFu, (texel >> 8) & 0xFFu, (texel >> 16) & 0xFFu) * (1.0 / 255.0);
}

// Packs an opaque colour in [0, 1] (clamped) as RGBA8, rounding to nearest with the 2^23
// trick: packUnorm4x8's float->int conversions are scalarised on lavapipe.
uint packRgb8(vec3 rgb) {
    const uvec3 q = floatBitsToUint(clamp(rgb, 0.0, 1.0) * 255.0 + 8388608.0) & 0xFFu;
    return q.r | (q.g << 8) | (q.b << 16) | 0xFF000000u;
}

#endif
