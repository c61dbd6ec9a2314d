#version 460
// Presentation blit: the packed RGBA8 working image, fitted into the swapchain image with
// black bars, written with imageStore. The view's format does the channel order (RGBA or
// BGRA), so the shader writes vec4(r, g, b, a) either way; no format qualifier because
// SPIR-V has none for BGRA (needs shaderStorageImageWriteWithoutFormat).
// Kept in step with present_to_buffer.comp and the CPU reference in src/present/blit_reference.cpp.

layout(local_size_x = 16, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(set = 0, binding = 1) uniform writeonly image2D dst;

layout(push_constant) uniform Params {
    uint srcWidth, srcHeight;  // working image
    uint dstWidth, dstHeight;  // swapchain image
    int rectX, rectY;          // where the fitted image goes
    uint rectWidth, rectHeight;
    uint hasSource;            // 0: no frame yet, all black
    uint bgra;                 // unused here (the view swizzles)
} pc;

vec4 texel(int x, int y) {
    x = clamp(x, 0, int(pc.srcWidth) - 1);
    y = clamp(y, 0, int(pc.srcHeight) - 1);
    return unpackUnorm4x8(src[uint(y) * pc.srcWidth + uint(x)]);
}

// Bilinear with pixel centres, so an unscaled fit at an integer offset is an exact copy.
vec4 fitted(uvec2 p) {
    ivec2 q = ivec2(p) - ivec2(pc.rectX, pc.rectY);
    if (pc.hasSource == 0u || q.x < 0 || q.y < 0 || q.x >= int(pc.rectWidth) || q.y >= int(pc.rectHeight))
        return vec4(0.0, 0.0, 0.0, 1.0);
    // Unscaled (the panel-size case): one load, and the exact copy bilinear would give too.
    if (pc.rectWidth == pc.srcWidth && pc.rectHeight == pc.srcHeight)
        return vec4(unpackUnorm4x8(src[uint(q.y) * pc.srcWidth + uint(q.x)]).rgb, 1.0);
    vec2 s = (vec2(q) + 0.5) * vec2(float(pc.srcWidth) / float(pc.rectWidth), float(pc.srcHeight) / float(pc.rectHeight)) - 0.5;
    vec2 f = floor(s);
    vec2 w = s - f;
    ivec2 i = ivec2(f);
    vec4 top = mix(texel(i.x, i.y), texel(i.x + 1, i.y), w.x);
    vec4 bottom = mix(texel(i.x, i.y + 1), texel(i.x + 1, i.y + 1), w.x);
    vec4 c = mix(top, bottom, w.y);
    return vec4(c.rgb, 1.0);
}

void main() {
    uvec2 p = gl_GlobalInvocationID.xy;
    if (p.x >= pc.dstWidth || p.y >= pc.dstHeight)
        return;
    imageStore(dst, ivec2(p), fitted(p));
}
