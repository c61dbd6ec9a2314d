// SPDX-License-Identifier: MIT
// Buffers over memory the device did not allocate: a camera's dma-buf, or CPU memory
// (VK_EXT_external_memory_host), and CPU memory shared by two devices.
#pragma once

#include "gpu/device.hpp"
#include "gpu/handles.hpp"

#include <string_view>

namespace rearview::gpu {

/// A buffer bound to imported memory; both are freed with it.
struct ImportedBuffer {
    Owned<VkBuffer> buffer;
    Owned<VkDeviceMemory> memory;
};

/// The storage/transfer buffer usage every imported buffer gets.
inline constexpr VkBufferUsageFlags kImportedBufferUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

/// Imports `size` bytes of CPU memory at `data` (both aligned to the device's
/// minImportedHostPointerAlignment) as a buffer. The memory must outlive the buffer.
Result<ImportedBuffer> importHostMemory(Device& device, void* data, VkDeviceSize size);

/// Imports a dma-buf (the fd is duplicated; the caller keeps its own) as a buffer of `size` bytes.
Result<ImportedBuffer> importDmaBuf(Device& device, int fd, VkDeviceSize size);

/// Page-aligned CPU memory imported into two devices as one buffer each, so one device's
/// GPU work can write what the other's reads (the viewfinder's processing device and its
/// presenter's). Ordering between them is the caller's: a write is complete for the other
/// device once the writer's timeline value is seen reached on the CPU (its submission ends
/// with a barrier to the host) and the reader submits after that. Move-only.
class SharedHostBuffer {
public:
    /// Both devices need VK_EXT_external_memory_host.
    static Result<SharedHostBuffer> create(Device& first, Device& second, VkDeviceSize size);

    SharedHostBuffer() = default;
    SharedHostBuffer(SharedHostBuffer&& o) noexcept { *this = std::move(o); }
    SharedHostBuffer& operator=(SharedHostBuffer&& o) noexcept;
    SharedHostBuffer(const SharedHostBuffer&) = delete;
    SharedHostBuffer& operator=(const SharedHostBuffer&) = delete;
    ~SharedHostBuffer() { reset(); }

    /// The buffer on `device` (one of the two it was created for).
    VkBuffer on(const Device& device) const { return &device == first_ ? a_.buffer.get() : b_.buffer.get(); }

private:
    void reset();
    const Device* first_ = nullptr;
    ImportedBuffer a_, b_;
    void* data_ = nullptr;
    size_t mapped_ = 0; ///< bytes mapped: the size asked for, rounded up to the alignment
};

} // namespace rearview::gpu
