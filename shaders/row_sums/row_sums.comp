#version 460
// Sum of the bytes of each row of a buffer: a GPU-side fingerprint of what the GPU reads,
// compared with the CPU's sums over the same mapping to prove an import is the camera's data.
#extension GL_EXT_shader_8bit_storage : require

layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer Src { uint8_t src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint sums[]; };

layout(push_constant) uniform Params {
    uint rowBytes;
    uint rows;
    uint stride;
} pc;

shared uint partial[64];

void main() {
    uint row = gl_WorkGroupID.x;
    uint sum = 0u;
    for (uint x = gl_LocalInvocationID.x; x < pc.rowBytes; x += 64u)
        sum += uint(src[row * pc.stride + x]);
    partial[gl_LocalInvocationID.x] = sum;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1u) {
        if (gl_LocalInvocationID.x < s)
            partial[gl_LocalInvocationID.x] += partial[gl_LocalInvocationID.x + s];
        barrier();
    }
    if (gl_LocalInvocationID.x == 0u)
        sums[row] = partial[0];
}
