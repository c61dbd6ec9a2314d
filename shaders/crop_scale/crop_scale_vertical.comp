#version 460
// Area downscale, vertical half: for one output row and a 16-byte strip of one NV12 plane,
// the fractional-coverage average over the rows of the output row's footprint.
// Shaped for lavapipe, where every per-invocation load becomes one scalar load per lane and
// component, and float->int conversions are scalarised: 64-bit loads halve the loads,
// neighbouring invocations read neighbouring strips, each walks the rows with no divisions,
// whole rows are summed two bytes per 32-bit field pair (16-bit fields never overflow below
// 256 rows, see kMaxDownscale), only the two partly covered edge rows are weighted in float,
// and results are rounded with the 2^23 trick instead of a conversion.
// Wider loads: lavapipe loads a multi-component value with one lane test for all its
// components, so planes with 16-byte aligned rows load each strip row as one u64vec2, and a
// dispatch with half as many invocations as strips (crop_scale.cpp, for 32-byte aligned rows
// and frame offset and even dstBase/dstStride) reduces two neighbouring strips per
// invocation with one u64vec4 load per row and one u64vec4 store per strip.
// Output: per byte column, the average times 256 as a 16-bit value, two per uint, in the
// plane's byte order (Y: consecutive pixels; CbCr: Cb low, Cr high for one chroma sample).
// Dispatch: x covers the strips (or half of them, see above), y the output rows, z = 0 for Y
// and 1 for CbCr.
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint64_t src[]; };
// The same frame as 16-byte units, for planes whose rows and strips are 16-byte aligned.
layout(std430, set = 0, binding = 0) readonly buffer Src2 { u64vec2 src2[]; };
// And as 32-byte units, for the two-strip invocations (see main).
layout(std430, set = 0, binding = 0) readonly buffer Src4 { u64vec4 src4[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uvec4 dst[]; };
// The same rows as 32-byte units (two-strip invocations: one store per strip).
layout(std430, set = 0, binding = 1) writeonly buffer Dst4 { u64vec4 dst4[]; };

struct Plane {
    uint srcBase;   // 8-byte index of the first strip in row 0 of the plane
    uint srcStride; // 8-byte units per plane row
    uint strips;    // 16-byte strips per row covered by the crop
    uint rowEnd;    // 8-byte index of the last unit of row 0 (a partial last strip stays in its row)
    uint rows;      // plane rows
    uint dstBase;   // uvec4 index of output row 0
    uint dstStride; // uvec4s per output row
    float top;      // footprint top of output row 0, in plane rows
    float step;     // plane rows per output row
    float norm;     // 256 / step
};

layout(push_constant) uniform Params {
    Plane plane[2];
} pc;

const uint64_t kEvenBytes = 0x00FF00FF00FF00FFul;
const float kRound = 8388608.0; // 2^23: adding it leaves round(x) in the mantissa for 0 <= x < 2^22

uint roundToUint(float x) { return floatBitsToUint(x + kRound) & 0x7FFFFFu; }
uint floorToUint(float x) { return roundToUint(floor(x)); }

vec4 bytesOf(uint v) { return vec4(v & 0xFFu, (v >> 8) & 0xFFu, (v >> 16) & 0xFFu, v >> 24); }

// Average of four consecutive bytes: whole-row sums s (bytes 0..3), edge rows t and b.
uvec2 average4(vec4 s, uint t, uint b, float wTop, float wBot, float norm) {
    const vec4 a = (s + wTop * bytesOf(t) + wBot * bytesOf(b)) * norm;
    return uvec2(roundToUint(a.x) | (roundToUint(a.y) << 16), roundToUint(a.z) | (roundToUint(a.w) << 16));
}

// One strip's row averages from its sums (whole rows lo/hi, edge rows vt/vb), as 16 bytes
// for each of its two units.
void roundStrip(Plane p, u64vec2 lo, u64vec2 hi, u64vec2 vt, u64vec2 vb, float wTop, float wBot,
                out uvec4 out0, out uvec4 out1) {
    for (uint k = 0u; k < 2u; ++k) {
        const uvec2 l = unpackUint2x32(lo[k]), h = unpackUint2x32(hi[k]);
        const uvec2 et = unpackUint2x32(vt[k]), eb = unpackUint2x32(vb[k]);
        const vec4 s0 = vec4(l.x & 0xFFFFu, h.x & 0xFFFFu, l.x >> 16, h.x >> 16);
        const vec4 s1 = vec4(l.y & 0xFFFFu, h.y & 0xFFFFu, l.y >> 16, h.y >> 16);
        const uvec4 q = uvec4(average4(s0, et.x, eb.x, wTop, wBot, p.norm), average4(s1, et.y, eb.y, wTop, wBot, p.norm));
        if (k == 0u)
            out0 = q;
        else
            out1 = q;
    }
}

u64vec4 pack64(uvec4 a, uvec4 b) {
    return u64vec4(packUint2x32(a.xy), packUint2x32(a.zw), packUint2x32(b.xy), packUint2x32(b.zw));
}

void main() {
    // A select rather than plane[z]: a dynamic index makes lavapipe load every field per lane.
    const Plane p = gl_WorkGroupID.z == 0u ? pc.plane[0] : pc.plane[1];
    const uint j = gl_WorkGroupID.y;
    const float t = p.top + float(j) * p.step;
    const float b = t + p.step;
    const uint r0 = floorToUint(t);
    const uint r1 = min(floorToUint(ceil(b)) - 1u, p.rows - 1u);
    const float wTop = min(float(r0 + 1u), b) - t;
    const float wBot = r1 > r0 ? b - float(r1) : 0.0;

    // (A uniform if/else rather than a return: lavapipe would mask every later load.)
    if (gl_NumWorkGroups.x * gl_WorkGroupSize.x < p.strips) {
        // A dispatch with fewer invocations than strips (crop_scale.cpp makes one only for
        // 32-byte aligned rows and strips): two neighbouring strips per invocation, one
        // four-component load per row, so lavapipe tests each lane once per 32 bytes.
        const uint pair = min(gl_GlobalInvocationID.x, (p.strips - 1u) >> 1);
        const uint at = (p.srcBase >> 2) + pair + r0 * (p.srcStride >> 2);
        const uint ab = (p.srcBase >> 2) + pair + r1 * (p.srcStride >> 2);
        u64vec4 lo = u64vec4(0ul), hi = u64vec4(0ul);
        uint a = at + (p.srcStride >> 2);
        for (uint r = r0 + 1u; r < r1; ++r, a += p.srcStride >> 2) {
            const u64vec4 v = src4[a];
            lo += v & kEvenBytes;
            hi += (v >> 8) & kEvenBytes;
        }
        const u64vec4 vt = src4[at], vb = src4[ab];
        uvec4 q0, q1, q2, q3;
        roundStrip(p, lo.xy, hi.xy, vt.xy, vb.xy, wTop, wBot, q0, q1);
        roundStrip(p, lo.zw, hi.zw, vt.zw, vb.zw, wTop, wBot, q2, q3);
        // The second strip of an odd count lands in the row's padding (dstStride >= 2 strips + 2).
        if (gl_GlobalInvocationID.x * 2u < p.strips) {
            const uint o = (p.dstBase + j * p.dstStride) / 2u + pair * 2u; // dstBase, dstStride even
            dst4[o] = pack64(q0, q1);
            dst4[o + 1u] = pack64(q2, q3);
        }
    } else {
        // No early return: with every lane active, lavapipe's loads need no per-lane mask test.
        const uint strip = min(gl_GlobalInvocationID.x, p.strips - 1u);
        const uint col = p.srcBase + strip * 2u;
        const uint col1 = min(col + 1u, p.rowEnd) - col; // 1, or 0 for a strip cut by the row's end

        u64vec2 lo = u64vec2(0ul), hi = u64vec2(0ul); // even and odd bytes, 16 bits each
        u64vec2 vt, vb;
        const uint at = col + r0 * p.srcStride, ab = col + r1 * p.srcStride;
        if (((p.srcBase | p.srcStride) & 1u) == 0u) {
            // 16-byte aligned rows (then no strip is cut by the row's end): one two-component
            // load per row, which lavapipe does with one lane test for both units.
            uint a = (at >> 1) + (p.srcStride >> 1);
            for (uint r = r0 + 1u; r < r1; ++r, a += p.srcStride >> 1) {
                const u64vec2 v = src2[a];
                lo += v & kEvenBytes;
                hi += (v >> 8) & kEvenBytes;
            }
            vt = src2[at >> 1];
            vb = src2[ab >> 1];
        } else {
            uint a = col + (r0 + 1u) * p.srcStride;
            for (uint r = r0 + 1u; r < r1; ++r, a += p.srcStride) {
                const u64vec2 v = u64vec2(src[a], src[a + col1]);
                lo += v & kEvenBytes;
                hi += (v >> 8) & kEvenBytes;
            }
            vt = u64vec2(src[at], src[at + col1]);
            vb = u64vec2(src[ab], src[ab + col1]);
        }
        uvec4 out0, out1;
        roundStrip(p, lo, hi, vt, vb, wTop, wBot, out0, out1);
        if (gl_GlobalInvocationID.x < p.strips) {
            const uint o = p.dstBase + j * p.dstStride + strip * 2u;
            dst[o] = out0;
            dst[o + 1u] = out1;
        }
    }
}
