#version 460
// Area downscale, horizontal half, fused with YCbCr -> RGB, rotation, mirror and letterbox:
// one invocation per oriented output pixel reads its footprint's columns from the vertical
// half's rows (Y: four 16-bit columns per 64-bit load; CbCr: two chroma samples per load)
// with exact fractional coverage, converts, and writes the packed RGBA8 pixel where it lands
// on the panel. No float->int conversion (scalarised on lavapipe): see floorToUint.
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

uint floorToUint(float x) { return floatBitsToUint(floor(x) + 8388608.0) & 0x7FFFFFu; }

float coverage(float c, float lo, float hi) { return clamp(min(c + 1.0, hi) - max(c, lo), 0.0, 1.0); }

void main() {
    const uvec2 o = gl_GlobalInvocationID.xy;
    if (o.x >= pc.place.outWidth || o.y >= pc.place.outHeight)
        return;
    uvec2 r;
    uint rgba = kOpaqueBlack;
    if (inRegion(o, pc.place, r)) {
        const float yl = pc.yLeft + float(r.x) * pc.step, yr = yl + pc.step;
        const uint c0 = floorToUint(yl) & ~3u;
        uint a = pc.yBase + r.y * pc.yStride + (c0 >> 2);
        float c = float(c0), sy = 0.0;
        for (uint i = 0u; i < pc.yLoads; ++i, c += 4.0) {
            const uvec2 v = unpackUint2x32(src[a + i]);
            sy += coverage(c, yl, yr) * float(v.x & 0xFFFFu) + coverage(c + 1.0, yl, yr) * float(v.x >> 16) +
                  coverage(c + 2.0, yl, yr) * float(v.y & 0xFFFFu) + coverage(c + 3.0, yl, yr) * float(v.y >> 16);
        }
        const float half_ = 0.5 * pc.step;
        const float cl = pc.cLeft + float(r.x) * half_, cr = cl + half_;
        const uint k0 = floorToUint(cl) & ~1u;
        a = pc.cBase + r.y * pc.cStride + (k0 >> 1);
        c = float(k0);
        vec2 sc = vec2(0.0);
        for (uint i = 0u; i < pc.cLoads; ++i, c += 2.0) {
            const uvec2 v = unpackUint2x32(src[a + i]);
            sc += coverage(c, cl, cr) * vec2(v.x & 0xFFFFu, v.x >> 16) +
                  coverage(c + 1.0, cl, cr) * vec2(v.y & 0xFFFFu, v.y >> 16);
        }
        rgba = packRgb8(ycbcrToRgb(sy * pc.norm, sc.x * 2.0 * pc.norm, sc.y * 2.0 * pc.norm, pc.k));
    }
    dst[panelIndex(o, pc.place)] = rgba;
}
