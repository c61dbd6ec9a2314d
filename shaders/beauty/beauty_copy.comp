#version 460
// Beauty with all-zero parameters: the image copied unchanged, one invocation per pixel
// (storage buffers need no transfer usage this way).
layout(local_size_x = 64, local_size_y = 1) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

layout(push_constant) uniform Params {
    uint width, height;
} pc;

void main() {
    if (gl_GlobalInvocationID.x < pc.width) {
        const uint i = gl_GlobalInvocationID.y * pc.width + gl_GlobalInvocationID.x;
        dst[i] = src[i];
    }
}
