#version 460
// Crop/scale when zoomed in beyond a 2x downscale: bilinear Y and CbCr at each output
// pixel's centre straight from the NV12 buffer (chroma sited at the centre of its 2x2 luma
// pixels, edges clamped), fused with YCbCr -> RGB, rotation, mirror and letterbox.
#extension GL_GOOGLE_include_directive : require
#include "ycbcr.glsl"
#include "rgba8.glsl"
#include "panel_placement.glsl"

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    PanelPlacement place;
    uint width, height;  // frame size
    uint yStride;        // bytes
    uint uvOffset;       // bytes from the Y plane
    uint uvStride;
    float x0, y0;        // centre of region pixel 0 in pixel-centre coordinates
    float stepX, stepY;  // frame pixels per output pixel
    YcbcrCoefficients k;
} pc;

uint byteAt(uint index) { return (src[index >> 2] >> ((index & 3u) * 8u)) & 0xFFu; }

// Bilinear sample of an interleaved plane: `channel` of `channels` at pixel-centre (x, y).
float sampleAt(uint base, uint stride, uint channels, uint channel, uvec2 size, vec2 pos) {
    pos = clamp(pos, vec2(0.0), vec2(size - 1u));
    const uvec2 p0 = uvec2(pos);
    const uvec2 p1 = min(p0 + 1u, size - 1u);
    const vec2 f = pos - vec2(p0);
    const uint r0 = base + p0.y * stride + channel, r1 = base + p1.y * stride + channel;
    const float top = mix(float(byteAt(r0 + p0.x * channels)), float(byteAt(r0 + p1.x * channels)), f.x);
    const float bottom = mix(float(byteAt(r1 + p0.x * channels)), float(byteAt(r1 + p1.x * channels)), f.x);
    return mix(top, bottom, f.y);
}

void main() {
    const uvec2 o = gl_GlobalInvocationID.xy;
    if (o.x >= pc.place.outWidth || o.y >= pc.place.outHeight)
        return;
    uvec2 r;
    uint rgba = kOpaqueBlack;
    if (inRegion(o, pc.place, r)) {
        const vec2 pos = vec2(pc.x0, pc.y0) + vec2(r) * vec2(pc.stepX, pc.stepY);
        const uvec2 size = uvec2(pc.width, pc.height), csize = (size + 1u) / 2u;
        const vec2 cpos = (pos - 0.5) * 0.5;
        const float Y = sampleAt(0u, pc.yStride, 1u, 0u, size, pos);
        const float cb = sampleAt(pc.uvOffset, pc.uvStride, 2u, 0u, csize, cpos);
        const float cr = sampleAt(pc.uvOffset, pc.uvStride, 2u, 1u, csize, cpos);
        rgba = packRgb8(ycbcrToRgb(Y, cb, cr, pc.k));
    }
    dst[panelIndex(o, pc.place)] = rgba;
}
