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

// R'G'B' -> YCbCr: the inverse of the above, rearview::cpu::encodingFor() (rgba_to_nv12.hpp)
// passed in by the host, same order.
struct YcbcrEncoding {
    float kr, kg, kb;
    float yOffset, yScale;
    float cbScale, crScale;
};

// rgb in [0, 1]; the results are unrounded 8-bit code values.
float lumaCode(vec3 rgb, YcbcrEncoding e) { return e.yOffset + e.yScale * dot(rgb, vec3(e.kr, e.kg, e.kb)); }

vec2 chromaCodes(vec3 rgb, YcbcrEncoding e) {
    const float y = dot(rgb, vec3(e.kr, e.kg, e.kb));
    return 128.0 + vec2(e.cbScale * (rgb.b - y), e.crScale * (rgb.r - y));
}

// An unrounded code value to a byte, rounded to nearest with the 2^23 trick: float->int
// conversions are scalarised on lavapipe.
uint codeToByte(float x) { return floatBitsToUint(clamp(x, 0.0, 255.0) + 8388608.0) & 0xFFu; }

#endif
