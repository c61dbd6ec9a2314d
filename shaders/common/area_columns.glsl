// The horizontal half of the area downscale: exact fractional-coverage sums over [lo, hi)
// of the columns that the vertical half (crop_scale_vertical.comp) writes, row averages x256
// as 16-bit values, two per uint. The including shader declares `src` as a readonly
// uint64_t[] storage buffer holding those rows (GL_EXT_shader_explicit_arithmetic_types_int64).
// No float->int conversion (scalarised on lavapipe): see floorToUint.
#ifndef REARVIEW_AREA_COLUMNS_GLSL
#define REARVIEW_AREA_COLUMNS_GLSL

uint floorToUint(float x) { return floatBitsToUint(floor(x) + 8388608.0) & 0x7FFFFFu; }

float coverage(float c, float lo, float hi) { return clamp(min(c + 1.0, hi) - max(c, lo), 0.0, 1.0); }

// Y rows, four columns per 64-bit unit: `row` is the row's first unit, `loads` units cover
// any footprint of the frame's width.
float areaSumY(uint row, float lo, float hi, uint loads) {
    const uint c0 = floorToUint(lo) & ~3u;
    const uint a = row + (c0 >> 2);
    float c = float(c0), s = 0.0;
    for (uint i = 0u; i < loads; ++i, c += 4.0) {
        const uvec2 v = unpackUint2x32(src[a + i]);
        s += coverage(c, lo, hi) * float(v.x & 0xFFFFu) + coverage(c + 1.0, lo, hi) * float(v.x >> 16) +
             coverage(c + 2.0, lo, hi) * float(v.y & 0xFFFFu) + coverage(c + 3.0, lo, hi) * float(v.y >> 16);
    }
    return s;
}

// CbCr rows, two (Cb, Cr) samples per 64-bit unit; lo and hi in chroma samples.
vec2 areaSumCbCr(uint row, float lo, float hi, uint loads) {
    const uint k0 = floorToUint(lo) & ~1u;
    const uint a = row + (k0 >> 1);
    float c = float(k0);
    vec2 s = vec2(0.0);
    for (uint i = 0u; i < loads; ++i, c += 2.0) {
        const uvec2 v = unpackUint2x32(src[a + i]);
        s += coverage(c, lo, hi) * vec2(v.x & 0xFFFFu, v.x >> 16) +
             coverage(c + 1.0, lo, hi) * vec2(v.y & 0xFFFFu, v.y >> 16);
    }
    return s;
}

#endif
