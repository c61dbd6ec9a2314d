#version 460
// Record scale, horizontal half: from the vertical half's 16-bit row averages
// (crop_scale_vertical.comp) to NV12 bytes. One invocation per output uint of kRows
// consecutive plane rows: 4 Y samples, or 2 (Cb, Cr) samples, per row, each the exact
// fractional-coverage average of its footprint's columns (shaders/common/area_columns.glsl),
// rounded once. The coverage weights depend only on the column, so each is computed once for
// the kRows rows, and lavapipe's fixed cost per 8-lane batch (invocation IDs, coroutine frame)
// is paid once per kRows uints. Mirroring reads the footprints right to left. Bytes of the
// last uint past the plane's width repeat its last sample (they are the row padding the layout
// requires).
// Dispatch: x covers the row's uints, y the plane's output rows in groups of kRows
// (record_scale.cpp's kHorizontalRows).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require

layout(local_size_x = 64) in;

// 1: Y plane, 2: interleaved CbCr plane.
layout(constant_id = 0) const uint kChannels = 1u;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint64_t src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

// Output rows per invocation.
#define AREA_ROWS 4u
const uint kRows = AREA_ROWS;
#include "area_columns.glsl"

layout(push_constant) uniform Params {
    uint rows;      // first 64-bit unit of the plane's rows
    uint rowStride; // units per row
    uint loads;     // units per footprint (cover any footprint position)
    uint dstBase;   // uint index of the plane's first output row
    uint dstStride; // uints per output row
    uint samples;   // output samples per row (CbCr: pairs)
    uint planeRows; // output rows of the plane
    uint mirror;    // 1: sample s reads footprint samples - 1 - s
    float left;     // footprint left of sample 0, in columns (CbCr: samples) of the rows
    float step;     // columns per output sample
    float norm;     // 1 / (256 * step)
} pc;

const uint kPerUint = 4u / kChannels;

// Round to nearest with the 2^23 trick: float->int conversions are scalarised on lavapipe.
uint toByte(float x) { return floatBitsToUint(min(x, 255.0) + 8388608.0) & 0xFFu; }

void main() {
    // No early return (it would mask every load on lavapipe): clamp the uint and the rows, and
    // guard the stores.
    const uint lastWord = (pc.samples - 1u) / kPerUint;
    const uint word = min(gl_GlobalInvocationID.x, lastWord);
    const uint row0 = gl_WorkGroupID.y * kRows;
    uint rows[kRows], packed[kRows];
    for (uint k = 0u; k < kRows; ++k) {
        rows[k] = pc.rows + min(row0 + k, pc.planeRows - 1u) * pc.rowStride;
        packed[k] = 0u;
    }
    for (uint j = 0u; j < kPerUint; ++j) {
        const uint q = min(word * kPerUint + j, pc.samples - 1u);
        const uint s = pc.mirror != 0u ? pc.samples - 1u - q : q;
        const float lo = pc.left + float(s) * pc.step;
        if (kChannels == 1u) {
            float y[kRows];
            areaSumsY(rows, lo, lo + pc.step, pc.loads, y);
            for (uint k = 0u; k < kRows; ++k)
                packed[k] |= toByte(y[k] * pc.norm) << (8u * j);
        } else {
            vec2 c[kRows];
            areaSumsCbCr(rows, lo, lo + pc.step, pc.loads, c);
            for (uint k = 0u; k < kRows; ++k)
                packed[k] |= (toByte(c[k].x * pc.norm) | (toByte(c[k].y * pc.norm) << 8)) << (16u * j);
        }
    }
    if (gl_GlobalInvocationID.x <= lastWord)
        for (uint k = 0u; k < kRows; ++k)
            if (row0 + k < pc.planeRows)
                dst[pc.dstBase + (row0 + k) * pc.dstStride + word] = packed[k];
}
