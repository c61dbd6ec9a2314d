#version 460
// The HUD, in place over the working image: dispatched over its box only. Every box pixel is
// dimmed, (rgb * keep + 128) >> 8, unless it is a lit pixel of a glyph, which takes the text
// colour. Integer arithmetic throughout, so it matches cpu::Overlay exactly.

layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, set = 0, binding = 0) buffer Image { uint texels[]; };
// 8 rows per glyph from ' ' on, 4 rows per word, bit i of a row = column i from the left.
layout(std430, set = 0, binding = 1) readonly buffer Font { uint glyphRows[]; };
// This frame's characters, 4 per word: line l, column c at byte l * columnsPerLine + c.
layout(std430, set = 0, binding = 2) readonly buffer Text { uint chars[]; };

layout(push_constant) uniform Params {
    uint width;            // image row pitch in pixels
    uint boxX, boxY, boxW, boxH;
    uint textX, textY;
    uint scale;
    uint keep;
    uint textColor;
    uint columnsPerLine;
    uint lengths[4];
} pc;

const uint kGlyph = 8u;
const uint kLinePitch = 10u;
const uint kFirstChar = 32u;

uint byteAt(uint index) { return (chars[index >> 2] >> ((index & 3u) * 8u)) & 0xFFu; }

bool lit(uvec2 p) {
    if (p.x < pc.textX || p.y < pc.textY)
        return false;
    const uvec2 f = (p - uvec2(pc.textX, pc.textY)) / pc.scale;
    const uint line = f.y / kLinePitch, row = f.y % kLinePitch;
    const uint col = f.x / kGlyph, bit = f.x % kGlyph;
    if (line >= 4u || row >= kGlyph || col >= pc.lengths[line])
        return false;
    const uint glyph = byteAt(line * pc.columnsPerLine + col) - kFirstChar;
    const uint rowBits = (glyphRows[glyph * 2u + (row >> 2)] >> ((row & 3u) * 8u)) & 0xFFu;
    return ((rowBits >> bit) & 1u) != 0u;
}

void main() {
    const uvec2 g = gl_GlobalInvocationID.xy;
    if (g.x >= pc.boxW || g.y >= pc.boxH)
        return;
    const uvec2 p = g + uvec2(pc.boxX, pc.boxY);
    const uint i = p.y * pc.width + p.x;
    if (lit(p)) {
        texels[i] = pc.textColor;
        return;
    }
    const uint t = texels[i];
    const uvec3 rgb = (uvec3(t & 0xFFu, (t >> 8) & 0xFFu, (t >> 16) & 0xFFu) * pc.keep + 128u) >> 8;
    texels[i] = rgb.r | (rgb.g << 8) | (rgb.b << 16) | (t & 0xFF000000u);
}
