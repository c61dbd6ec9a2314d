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

#include "area_columns.glsl"

void main() {
    const uvec2 o = gl_GlobalInvocationID.xy;
    if (o.x >= pc.place.outWidth || o.y >= pc.place.outHeight)
        return;
    uvec2 r;
    uint rgba = kOpaqueBlack;
    if (inRegion(o, pc.place, r)) {
        const float yl = pc.yLeft + float(r.x) * pc.step;
        const float sy = areaSumY(pc.yBase + r.y * pc.yStride, yl, yl + pc.step, pc.yLoads);
        const float half_ = 0.5 * pc.step;
        const float cl = pc.cLeft + float(r.x) * half_;
        const vec2 sc = areaSumCbCr(pc.cBase + r.y * pc.cStride, cl, cl + half_, pc.cLoads);
        rgba = packRgb8(ycbcrToRgb(sy * pc.norm, sc.x * 2.0 * pc.norm, sc.y * 2.0 * pc.norm, pc.k));
    }
    dst[panelIndex(o, pc.place)] = rgba;
}
