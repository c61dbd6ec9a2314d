// SPDX-License-Identifier: MIT
#include "gpu/external_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <format>

namespace rearview::gpu {
namespace {

// A buffer that can be bound to external memory of `handleType`.
Result<Owned<VkBuffer>> createExternalBuffer(Device& device, VkDeviceSize size,
                                             VkExternalMemoryHandleTypeFlagBits handleType) {
    VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    ext.handleTypes = handleType;
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, &ext};
    bci.size = size;
    bci.usage = kImportedBufferUsage;
    bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    RV_VK_TRY(device.vk().vkCreateBuffer(device.device(), &bci, nullptr, &buffer));
    return device.own(buffer);
}

// First memory type allowed by both the buffer and the external handle.
Result<uint32_t> pickMemoryType(Device& device, uint32_t allowedBits, std::string_view what) {
    VkPhysicalDeviceMemoryProperties props;
    vkGetPhysicalDeviceMemoryProperties(device.physical(), &props);
    for (uint32_t i = 0; i < props.memoryTypeCount; ++i)
        if (allowedBits & (1u << i))
            return i;
    return fail(ErrorCode::Unsupported, std::format("no memory type can hold an imported {}", what));
}

} // namespace

Result<ImportedBuffer> importHostMemory(Device& device, void* data, VkDeviceSize size) {
    const uint64_t align = device.minImportedHostPointerAlignment();
    if (reinterpret_cast<uintptr_t>(data) % align || size % align)
        return fail(ErrorCode::Unsupported,
                    std::format("buffer mapping {} (+{} bytes) is not aligned to the GPU's {}-byte host-pointer "
                                "import alignment", data, size, align));
    auto buffer = createExternalBuffer(device, size, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
    if (!buffer)
        return std::unexpected(buffer.error());
    VkMemoryHostPointerPropertiesEXT hostProps{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    RV_VK_TRY(device.vk().vkGetMemoryHostPointerPropertiesEXT(device.device(), VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                                  data, &hostProps));
    VkMemoryRequirements req;
    device.vk().vkGetBufferMemoryRequirements(device.device(), buffer->get(), &req);
    auto type = pickMemoryType(device, req.memoryTypeBits & hostProps.memoryTypeBits, "host pointer");
    if (!type)
        return std::unexpected(type.error());
    VkImportMemoryHostPointerInfoEXT importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    importInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    importInfo.pHostPointer = data;
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &importInfo};
    mai.allocationSize = size;
    mai.memoryTypeIndex = *type;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    RV_VK_TRY(device.vk().vkAllocateMemory(device.device(), &mai, nullptr, &mem));
    ImportedBuffer out{std::move(*buffer), device.own(mem)};
    RV_VK_TRY(device.vk().vkBindBufferMemory(device.device(), out.buffer.get(), mem, 0));
    return out;
}

Result<ImportedBuffer> importDmaBuf(Device& device, int dmaBufFd, VkDeviceSize size) {
    auto buffer = createExternalBuffer(device, size, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
    if (!buffer)
        return std::unexpected(buffer.error());
    VkMemoryFdPropertiesKHR fdProps{VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR};
    RV_VK_TRY(device.vk().vkGetMemoryFdPropertiesKHR(device.device(), VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, dmaBufFd,
                                         &fdProps));
    VkMemoryRequirements req;
    device.vk().vkGetBufferMemoryRequirements(device.device(), buffer->get(), &req);
    auto type = pickMemoryType(device, req.memoryTypeBits & fdProps.memoryTypeBits, "dma-buf");
    if (!type)
        return std::unexpected(type.error());
    const int fd = dup(dmaBufFd); // Vulkan owns the fd it imports
    if (fd < 0)
        return fail(ErrorCode::Io, std::format("dup of dma-buf fd {} failed: {}", dmaBufFd, std::strerror(errno)));
    VkImportMemoryFdInfoKHR importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
    importInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    importInfo.fd = fd;
    VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, &importInfo};
    dedicated.buffer = buffer->get();
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &dedicated};
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = *type;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    if (VkResult r = device.vk().vkAllocateMemory(device.device(), &mai, nullptr, &mem); r != VK_SUCCESS) {
        close(fd);
        return std::unexpected(vkError(r, "vkAllocateMemory (dma-buf import)"));
    }
    ImportedBuffer out{std::move(*buffer), device.own(mem)};
    RV_VK_TRY(device.vk().vkBindBufferMemory(device.device(), out.buffer.get(), mem, 0));
    return out;
}

Result<SharedHostBuffer> SharedHostBuffer::create(Device& first, Device& second, VkDeviceSize size) {
    for (const Device* d : {&first, &second})
        if (!d->extensions().externalMemoryHost)
            return fail(ErrorCode::Unsupported,
                        std::format("GPU '{}' lacks VK_EXT_external_memory_host, so two devices cannot share "
                                    "CPU memory", d->info().name));
    const uint64_t align = std::max<uint64_t>({first.minImportedHostPointerAlignment(),
                                               second.minImportedHostPointerAlignment(),
                                               uint64_t(sysconf(_SC_PAGESIZE))});
    SharedHostBuffer s;
    s.first_ = &first;
    s.mapped_ = size_t((size + align - 1) / align * align);
    void* p = mmap(nullptr, s.mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return fail(ErrorCode::OutOfMemory,
                    std::format("could not map {} bytes for a shared buffer: {}", s.mapped_, std::strerror(errno)));
    s.data_ = p;
    auto a = importHostMemory(first, p, s.mapped_);
    if (!a)
        return std::unexpected(a.error());
    s.a_ = std::move(*a);
    auto b = importHostMemory(second, p, s.mapped_);
    if (!b)
        return std::unexpected(b.error());
    s.b_ = std::move(*b);
    return s;
}

SharedHostBuffer& SharedHostBuffer::operator=(SharedHostBuffer&& o) noexcept {
    if (this != &o) {
        reset();
        first_ = std::exchange(o.first_, nullptr);
        a_ = std::move(o.a_);
        b_ = std::move(o.b_);
        data_ = std::exchange(o.data_, nullptr);
        mapped_ = std::exchange(o.mapped_, 0);
    }
    return *this;
}

void SharedHostBuffer::reset() {
    // The buffers and their memory go before the mapping they point into.
    a_ = {};
    b_ = {};
    if (data_)
        munmap(data_, mapped_);
    data_ = nullptr;
}

} // namespace rearview::gpu
