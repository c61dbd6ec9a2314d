// The horizontal half of the area downscale: exact fractional-coverage sums over [lo, hi)
// of the columns that the vertical half (crop_scale_vertical.comp) writes, row averages x256
// as 16-bit values, two per uint. The including shader declares `src` as a readonly
// uint64_t[] storage buffer holding those rows (GL_EXT_shader_explicit_arithmetic_types_int64).
// No float->int conversion (scalarised on lavapipe): see floorToUint.
#ifndef REARVIEW_AREA_COLUMNS_GLSL
#define REARVIEW_AREA_COLUMNS_GLSL

uint floorToUint(float x) { return floatBitsToUint(floor(x) + 8388608.0) & 0x7FFFFFu; }

float coverage(float c, float lo, float hi) { return clamp(min(c + 1.0, hi) - max(c, lo), 0.0, 1.0); }

#ifdef AREA_ROWS
// Sums over AREA_ROWS rows (defined by the including shader) that share the footprint
// [lo, hi): each column's coverage weight is computed once for all the rows.

// Y rows, four columns per 64-bit unit: `rows` holds each row's first unit, `loads` units
// cover any footprint of the frame's width.
void areaSumsY(const uint rows[AREA_ROWS], float lo, float hi, uint loads, out float s[AREA_ROWS]) {
    for (uint k = 0u; k < AREA_ROWS; ++k)
        s[k] = 0.0;
    const uint c0 = floorToUint(lo) & ~3u;
    const uint a = c0 >> 2;
    float c = float(c0);
    for (uint i = 0u; i < loads; ++i, c += 4.0) {
        const vec4 w = vec4(coverage(c, lo, hi), coverage(c + 1.0, lo, hi), coverage(c + 2.0, lo, hi),
                            coverage(c + 3.0, lo, hi));
        for (uint k = 0u; k < AREA_ROWS; ++k) {
            const uvec2 v = unpackUint2x32(src[rows[k] + a + i]);
            s[k] += dot(w, vec4(v.x & 0xFFFFu, v.x >> 16, v.y & 0xFFFFu, v.y >> 16));
        }
    }
}

// CbCr rows, two (Cb, Cr) samples per 64-bit unit; lo and hi in chroma samples.
void areaSumsCbCr(const uint rows[AREA_ROWS], float lo, float hi, uint loads, out vec2 s[AREA_ROWS]) {
    for (uint k = 0u; k < AREA_ROWS; ++k)
        s[k] = vec2(0.0);
    const uint k0 = floorToUint(lo) & ~1u;
    const uint a = k0 >> 1;
    float c = float(k0);
    for (uint i = 0u; i < loads; ++i, c += 2.0) {
        const float w0 = coverage(c, lo, hi), w1 = coverage(c + 1.0, lo, hi);
        for (uint k = 0u; k < AREA_ROWS; ++k) {
            const uvec2 v = unpackUint2x32(src[rows[k] + a + i]);
            s[k] += w0 * vec2(v.x & 0xFFFFu, v.x >> 16) + w1 * vec2(v.y & 0xFFFFu, v.y >> 16);
        }
    }
}
#endif

#endif
