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

#endif
