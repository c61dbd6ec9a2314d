// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"

#include <cstddef>
#include <utility>

namespace rearview::gpu {

/// Where a buffer lives and how the CPU reaches it.
enum class MemoryUse {
    GpuOnly,   ///< device-local, no CPU access
    Upload,    ///< CPU writes sequentially, GPU reads (persistently mapped)
    Readback,  ///< GPU writes, CPU reads (persistently mapped, cached)
};

/// A VkBuffer and the VMA allocation it owns. Move-only.
class Buffer {
public:
    static Result<Buffer> create(Device& device, VkDeviceSize size, VkBufferUsageFlags usage, MemoryUse use);

    Buffer() = default;
    Buffer(Buffer&& o) noexcept { *this = std::move(o); }
    Buffer& operator=(Buffer&& o) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { reset(); }

    void reset();
    VkBuffer get() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    /// CPU address for Upload / Readback buffers, null for GpuOnly.
    std::byte* mapped() const { return static_cast<std::byte*>(mapped_); }
    /// Makes GPU writes visible to the CPU (no-op on coherent memory).
    void invalidate() const;
    /// Makes CPU writes visible to the GPU (no-op on coherent memory).
    void flush() const;

private:
    VmaAllocator allocator_ = VK_NULL_HANDLE;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VmaAllocation allocation_ = VK_NULL_HANDLE;
    void* mapped_ = nullptr;
    VkDeviceSize size_ = 0;
};

/// Makes `buffer` hold at least `bytes`: keeps it when it does, else creates a new one and
/// retires the old one until the GPU work recorded so far has finished with it.
Result<void> growBuffer(Device& device, Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage, MemoryUse use);

} // namespace rearview::gpu
