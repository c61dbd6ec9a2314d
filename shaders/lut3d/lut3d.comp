#version 460
// 3D LUT colour filter on the packed RGBA8 working image (R in the low byte), one
// invocation per pixel; alpha is kept. The LUT is a 3D image (x = red, y = green, z = blue)
// read with texelFetch and interpolated here, as FFmpeg's vf_lut3d and the CPU reference
// (src/cpu/lut3d.cpp) do, rather than by the sampler: fixed-function filtering works in
// reduced precision (8 fractional bits on many GPUs) and has no tetrahedral mode.
#extension GL_EXT_samplerless_texture_functions : require

layout(local_size_x = 64, local_size_y = 1) in;

// 0: trilinear (8 grid points), 1: tetrahedral (4 grid points).
layout(constant_id = 0) const uint kTetrahedral = 1u;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };
layout(set = 0, binding = 2) uniform texture3D lut;

layout(push_constant) uniform Params {
    vec4 scale;  // xyz: LUT coordinate per code value, (size - 1) / (255 (max - min)); w: strength
    vec4 offset; // xyz: -min (size - 1) / (max - min); w: size - 1
    uint width;
    uint height;
} pc;

// Adding 2^23 leaves an integer-valued float in [0, 2^23) in the low mantissa bits:
// conversions without the float->int instructions lavapipe scalarises per lane.
const float kMagic = 8388608.0;
const uint kMagicBits = 0x4B000000u;

vec3 fetch(ivec3 at) { return texelFetch(lut, at, 0).rgb; }

vec3 trilinear(ivec3 p, ivec3 n, vec3 d) {
    vec3 c00 = mix(fetch(p), fetch(ivec3(n.x, p.y, p.z)), d.x);
    vec3 c10 = mix(fetch(ivec3(p.x, n.y, p.z)), fetch(ivec3(n.x, n.y, p.z)), d.x);
    vec3 c01 = mix(fetch(ivec3(p.x, p.y, n.z)), fetch(ivec3(n.x, p.y, n.z)), d.x);
    vec3 c11 = mix(fetch(ivec3(p.x, n.y, n.z)), fetch(n), d.x);
    return mix(mix(c00, c10, d.y), mix(c01, c11, d.y), d.z);
}

// Branch-free: the walk from p to n steps first along the axis with the largest fraction,
// then the second largest. Ties pick a different but adjacent tetrahedron than FFmpeg's
// if/else chain; the weights of the differing corner are then zero, so the value agrees.
vec3 tetrahedral(ivec3 p, ivec3 n, vec3 d) {
    const uvec3 ge = uvec3(greaterThanEqual(d, d.yzx)); // r >= g, g >= b, b >= r
    const uvec3 gt = uvec3(1u) - ge.zxy;                 // r > b,  g > r,  b > g
    const bvec3 first = notEqual(ge & gt, uvec3(0u));    // the largest fraction's axis
    const bvec3 second = notEqual(ge | gt, uvec3(0u));   // the two largest
    const float hi = max(d.x, max(d.y, d.z));
    const float lo = min(d.x, min(d.y, d.z));
    const float mid = max(min(d.x, d.y), min(max(d.x, d.y), d.z));
    return (1.0 - hi) * fetch(p) + (hi - mid) * fetch(mix(p, n, first)) + (mid - lo) * fetch(mix(p, n, second)) +
           lo * fetch(n);
}

void main() {
    // Invocations past the row's end redo its last pixel and store nothing: a clamp, not an
    // early return, so the loads stay unmasked on lavapipe.
    const uint x = min(gl_GlobalInvocationID.x, pc.width - 1u);
    const uint i = gl_GlobalInvocationID.y * pc.width + x;
    const uint pixel = src[i];
    const vec3 v = uintBitsToFloat((uvec3(pixel, pixel >> 8, pixel >> 16) & 0xFFu) | kMagicBits) - kMagic;

    const float last = pc.offset.w;
    const vec3 s = clamp(v * pc.scale.xyz + pc.offset.xyz, 0.0, last);
    const vec3 lower = floor(s);
    const vec3 d = s - lower;
    const ivec3 p = floatBitsToInt(lower + kMagic) - int(kMagicBits);
    const ivec3 n = floatBitsToInt(min(lower + 1.0, last) + kMagic) - int(kMagicBits);

    const vec3 graded = (kTetrahedral != 0u ? tetrahedral(p, n, d) : trilinear(p, n, d)) * 255.0;
    // Exact at both ends, fused or not: strength 0 gives v, 1 gives graded (the same value
    // in every channel of a neutral look).
    const float strength = pc.scale.w;
    const vec3 outv = clamp(v * (1.0 - strength) + graded * strength, 0.0, 255.0);
    const uvec3 q = floatBitsToUint(outv + kMagic) & 0xFFu;
    if (gl_GlobalInvocationID.x < pc.width)
        dst[i] = q.r | (q.g << 8) | (q.b << 16) | (pixel & 0xFF000000u);
}
