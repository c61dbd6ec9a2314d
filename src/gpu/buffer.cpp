// SPDX-License-Identifier: MIT
#include "gpu/buffer.hpp"

namespace rearview::gpu {

Result<Buffer> Buffer::create(Device& device, VkDeviceSize size, VkBufferUsageFlags usage, MemoryUse use) {
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bci.size = size;
    bci.usage = usage;
    bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VmaAllocationCreateInfo aci{};
    aci.usage = VMA_MEMORY_USAGE_AUTO;
    switch (use) {
    case MemoryUse::GpuOnly: break;
    case MemoryUse::Upload:
        aci.flags = VMA_ALLOCATION_CREATE_HOST_ACCESS_SEQUENTIAL_WRITE_BIT | VMA_ALLOCATION_CREATE_MAPPED_BIT;
        break;
    case MemoryUse::Readback:
        aci.flags = VMA_ALLOCATION_CREATE_HOST_ACCESS_RANDOM_BIT | VMA_ALLOCATION_CREATE_MAPPED_BIT;
        break;
    }
    Buffer b;
    b.allocator_ = device.allocator();
    b.size_ = size;
    VmaAllocationInfo info{};
    RV_VK_TRY(vmaCreateBuffer(device.allocator(), &bci, &aci, &b.buffer_, &b.allocation_, &info));
    b.mapped_ = info.pMappedData;
    return b;
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
    if (this != &o) {
        reset();
        allocator_ = o.allocator_;
        buffer_ = std::exchange(o.buffer_, VK_NULL_HANDLE);
        allocation_ = std::exchange(o.allocation_, VK_NULL_HANDLE);
        mapped_ = std::exchange(o.mapped_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

void Buffer::reset() {
    if (buffer_)
        vmaDestroyBuffer(allocator_, buffer_, allocation_);
    buffer_ = VK_NULL_HANDLE;
    allocation_ = VK_NULL_HANDLE;
    mapped_ = nullptr;
}

void Buffer::invalidate() const {
    if (allocation_)
        vmaInvalidateAllocation(allocator_, allocation_, 0, VK_WHOLE_SIZE);
}

void Buffer::flush() const {
    if (allocation_)
        vmaFlushAllocation(allocator_, allocation_, 0, VK_WHOLE_SIZE);
}

Result<void> growBuffer(Device& device, Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage, MemoryUse use) {
    if (buffer.get() && buffer.size() >= bytes)
        return {};
    auto grown = Buffer::create(device, bytes, usage, use);
    if (!grown)
        return std::unexpected(grown.error());
    if (buffer.get())
        device.deferred().retire(device.lastTimelineValue(), std::move(buffer));
    buffer = std::move(*grown);
    return {};
}

} // namespace rearview::gpu
