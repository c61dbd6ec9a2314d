// The 3D LUT colour filter's arithmetic (shaders/lut3d/lut3d.comp, shaders/finish/finish.comp):
// the LUT is a 3D image (x = red, y = green, z = blue) read with texelFetch and interpolated
// here, as FFmpeg's vf_lut3d and the CPU reference (src/cpu/lut3d.cpp) do, rather than by the
// sampler: fixed-function filtering works in reduced precision (8 fractional bits on many
// GPUs) and has no tetrahedral mode. The including shader declares `texture3D lut` and the
// specialization constant kTetrahedral (0: trilinear, 8 grid points; 1: tetrahedral, 4).
#ifndef REARVIEW_LUT3D_GLSL
#define REARVIEW_LUT3D_GLSL

// Adding 2^23 leaves an integer-valued float in [0, 2^23) in the low mantissa bits:
// conversions without the float->int instructions lavapipe scalarises per lane.
const float kMagic = 8388608.0;
const uint kMagicBits = 0x4B000000u;

vec3 lutFetch(ivec3 at) { return texelFetch(lut, at, 0).rgb; }

vec3 lutTrilinear(ivec3 p, ivec3 n, vec3 d) {
    vec3 c00 = mix(lutFetch(p), lutFetch(ivec3(n.x, p.y, p.z)), d.x);
    vec3 c10 = mix(lutFetch(ivec3(p.x, n.y, p.z)), lutFetch(ivec3(n.x, n.y, p.z)), d.x);
    vec3 c01 = mix(lutFetch(ivec3(p.x, p.y, n.z)), lutFetch(ivec3(n.x, p.y, n.z)), d.x);
    vec3 c11 = mix(lutFetch(ivec3(p.x, n.y, n.z)), lutFetch(n), d.x);
    return mix(mix(c00, c10, d.y), mix(c01, c11, d.y), d.z);
}

// Branch-free: the walk from p to n steps first along the axis with the largest fraction,
// then the second largest. Ties pick a different but adjacent tetrahedron than FFmpeg's
// if/else chain; the weights of the differing corner are then zero, so the value agrees.
vec3 lutTetrahedral(ivec3 p, ivec3 n, vec3 d) {
    const uvec3 ge = uvec3(greaterThanEqual(d, d.yzx)); // r >= g, g >= b, b >= r
    const uvec3 gt = uvec3(1u) - ge.zxy;                 // r > b,  g > r,  b > g
    const bvec3 first = notEqual(ge & gt, uvec3(0u));    // the largest fraction's axis
    const bvec3 second = notEqual(ge | gt, uvec3(0u));   // the two largest
    const float hi = max(d.x, max(d.y, d.z));
    const float lo = min(d.x, min(d.y, d.z));
    const float mid = max(min(d.x, d.y), min(max(d.x, d.y), d.z));
    return (1.0 - hi) * lutFetch(p) + (hi - mid) * lutFetch(mix(p, n, first)) +
           (mid - lo) * lutFetch(mix(p, n, second)) + lo * lutFetch(n);
}

// 8-bit R, G, B codes through the LUT: `scale` xyz is the LUT coordinate per code value,
// (size - 1) / (255 (max - min)), w the strength; `offset` xyz is -min (size - 1) / (max - min),
// w is size - 1. Blended with the input by the strength and rounded once (exact at both
// ends: strength 0 gives the input, 1 the graded value).
uvec3 lutApply(uvec3 codes, vec4 scale, vec4 offset) {
    const vec3 v = uintBitsToFloat(codes | kMagicBits) - kMagic;
    const float last = offset.w;
    const vec3 s = clamp(v * scale.xyz + offset.xyz, 0.0, last);
    const vec3 lower = floor(s);
    const vec3 d = s - lower;
    const ivec3 p = floatBitsToInt(lower + kMagic) - int(kMagicBits);
    const ivec3 n = floatBitsToInt(min(lower + 1.0, last) + kMagic) - int(kMagicBits);
    const vec3 graded = (kTetrahedral != 0u ? lutTetrahedral(p, n, d) : lutTrilinear(p, n, d)) * 255.0;
    const float strength = scale.w;
    const vec3 outv = clamp(v * (1.0 - strength) + graded * strength, 0.0, 255.0);
    return floatBitsToUint(outv + kMagic) & 0xFFu;
}

#endif
