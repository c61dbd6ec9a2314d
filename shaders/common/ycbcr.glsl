// YCbCr -> R'G'B' with the exact coefficients of rearview::coefficientsFor() (colour_space.cpp),
// passed in by the host so the GPU and the CPU reference share one definition.
#ifndef REARVIEW_YCBCR_GLSL
#define REARVIEW_YCBCR_GLSL

struct YcbcrCoefficients {
    float yOffset;
    float yScale;
    float cScale;
    float crToR;
    float cbToG;
    float crToG;
    float cbToB;
};

// Y, Cb, Cr are 8-bit code values (0..255); the result is clamped to [0, 1].
vec3 ycbcrToRgb(float Y, float Cb, float Cr, YcbcrCoefficients k) {
    float y = (Y - k.yOffset) * k.yScale;
    float cb = (Cb - 128.0) * k.cScale;
    float cr = (Cr - 128.0) * k.cScale;
    return clamp(vec3(y + k.crToR * cr, y + k.cbToG * cb + k.crToG * cr, y + k.cbToB * cb), 0.0, 1.0);
}

// Packs an opaque colour in [0, 1] as RGBA8 (R in the low byte), rounding to nearest with
// the 2^23 trick: packUnorm4x8's float->int conversions are scalarised on lavapipe.
uint packOpaqueRgba8(vec3 rgb) {
    const uvec3 q = floatBitsToUint(rgb * 255.0 + 8388608.0) & 0xFFu;
    return q.r | (q.g << 8) | (q.b << 16) | 0xFF000000u;
}

#endif
