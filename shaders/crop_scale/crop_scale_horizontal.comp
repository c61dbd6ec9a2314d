#version 460
// Area downscale, horizontal half, fused with YCbCr -> RGB, rotation, mirror and letterbox:
// one invocation per oriented output column and kRows consecutive output rows reads each
// row's footprint columns from the vertical half's rows (Y: four 16-bit columns per 64-bit
// load; CbCr: two chroma samples per load) with exact fractional coverage, converts, and
// writes the packed RGBA8 pixels where they land on the panel. The coverage weights depend
// only on the column, so each is computed once for the kRows rows; and lavapipe's fixed cost
// per 8-lane batch (invocation IDs, coroutine frame) is paid once per kRows pixels.
// No float->int conversion (scalarised on lavapipe): see floorToUint.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
#include "ycbcr.glsl"
#include "rgba8.glsl"
#include "panel_placement.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint64_t src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    PanelPlacement place;
    uint yBase, yStride; // vertical half's Y rows: first 8-byte unit, units per row
    uint cBase, cStride; // its CbCr rows
    uint yLoads;         // 64-bit loads per pixel (cover any footprint)
    uint cLoads;
    float yLeft;         // footprint left of region column 0, in Y columns of the rows
    float cLeft;         // the same in chroma samples
    float step;          // Y columns per output pixel (chroma: half)
    float norm;          // 1 / (256 * step)
    YcbcrCoefficients k;
} pc;

#include "area_columns.glsl"

// Output rows per invocation (crop_scale.cpp dispatches ceil(outHeight / kRows) in y).
const uint kRows = 4u;

void main() {
    const uint ox = gl_GlobalInvocationID.x;
    const uint oy0 = gl_GlobalInvocationID.y * kRows;
    if (ox >= pc.place.outWidth)
        return;
    // Region rows and column clamped into the region: pixels outside it (letterbox bars,
    // rows past the output) read a valid footprint and are replaced by black or not stored.
    const uint rx = min(ox - pc.place.regionX, pc.place.regionWidth - 1u);
    uint yRow[kRows], cRow[kRows];
    for (uint k = 0u; k < kRows; ++k) {
        const uint ry = min(oy0 + k - pc.place.regionY, pc.place.regionHeight - 1u);
        yRow[k] = pc.yBase + ry * pc.yStride;
        cRow[k] = pc.cBase + ry * pc.cStride;
    }

    float sy[kRows];
    vec2 sc[kRows];
    for (uint k = 0u; k < kRows; ++k) {
        sy[k] = 0.0;
        sc[k] = vec2(0.0);
    }
    // Y: four columns per unit, weights shared by the rows.
    const float yl = pc.yLeft + float(rx) * pc.step, yh = yl + pc.step;
    const uint y0 = floorToUint(yl) & ~3u;
    float c = float(y0);
    for (uint i = 0u; i < pc.yLoads; ++i, c += 4.0) {
        const vec4 w = vec4(coverage(c, yl, yh), coverage(c + 1.0, yl, yh), coverage(c + 2.0, yl, yh),
                            coverage(c + 3.0, yl, yh));
        const uint a = (y0 >> 2) + i;
        for (uint k = 0u; k < kRows; ++k) {
            const uvec2 v = unpackUint2x32(src[yRow[k] + a]);
            sy[k] += dot(w, vec4(v.x & 0xFFFFu, v.x >> 16, v.y & 0xFFFFu, v.y >> 16));
        }
    }
    // CbCr: two (Cb, Cr) samples per unit, in chroma samples.
    const float half_ = 0.5 * pc.step;
    const float cl = pc.cLeft + float(rx) * half_, ch = cl + half_;
    const uint c0 = floorToUint(cl) & ~1u;
    c = float(c0);
    for (uint i = 0u; i < pc.cLoads; ++i, c += 2.0) {
        const float w0 = coverage(c, cl, ch), w1 = coverage(c + 1.0, cl, ch);
        const uint a = (c0 >> 1) + i;
        for (uint k = 0u; k < kRows; ++k) {
            const uvec2 v = unpackUint2x32(src[cRow[k] + a]);
            sc[k] += w0 * vec2(v.x & 0xFFFFu, v.x >> 16) + w1 * vec2(v.y & 0xFFFFu, v.y >> 16);
        }
    }

    for (uint k = 0u; k < kRows; ++k) {
        const uvec2 o = uvec2(ox, oy0 + k);
        uvec2 r;
        uint rgba = kOpaqueBlack;
        if (inRegion(o, pc.place, r))
            rgba = packRgb8(ycbcrToRgb(sy[k] * pc.norm, sc[k].x * 2.0 * pc.norm, sc[k].y * 2.0 * pc.norm, pc.k));
        if (o.y < pc.place.outHeight)
            dst[panelIndex(o, pc.place)] = rgba;
    }
}
