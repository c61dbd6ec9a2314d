// SPDX-License-Identifier: MIT
#include "gpu/frame_importer.hpp"

#include "core/log.hpp"

#include <chrono>
#include <cstring>
#include <format>
#include <unistd.h>

namespace rearview::gpu {
namespace {

// Creates a buffer that can be bound to external memory of `handleType`.
Result<Owned<VkBuffer>> createExternalBuffer(Device& device, VkDeviceSize size,
                                             VkExternalMemoryHandleTypeFlagBits handleType) {
    VkExternalMemoryBufferCreateInfo ext{VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO};
    ext.handleTypes = handleType;
    VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, &ext};
    bci.size = size;
    bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    RV_VK_TRY(vkCreateBuffer(device.device(), &bci, nullptr, &buffer));
    return Owned<VkBuffer>(device.device(), buffer);
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

std::string_view toString(ImportPath path) noexcept {
    switch (path) {
    case ImportPath::DmaBuf: return "dma-buf import";
    case ImportPath::HostPointer: return "host-pointer import";
    case ImportPath::StagingCopy: return "staging copy";
    }
    return "?";
}

Result<FrameImporter> FrameImporter::create(Device& device, std::optional<ImportPath> forcePath) {
    if (forcePath == ImportPath::DmaBuf && !device.extensions().externalMemoryDmaBuf)
        return fail(ErrorCode::Unsupported, "dma-buf import was requested but the GPU lacks "
                                            "VK_EXT_external_memory_dma_buf");
    if (forcePath == ImportPath::HostPointer && !device.extensions().externalMemoryHost)
        return fail(ErrorCode::Unsupported, "host-pointer import was requested but the GPU lacks "
                                            "VK_EXT_external_memory_host");
    FrameImporter importer;
    importer.device_ = &device;
    importer.force_ = forcePath;
    return importer;
}

Result<FrameImporter::Imported> FrameImporter::importDmaBuf(const BufferMemory& memory) {
    auto buffer = createExternalBuffer(*device_, memory.size, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
    if (!buffer)
        return std::unexpected(buffer.error());
    VkMemoryFdPropertiesKHR fdProps{VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR};
    RV_VK_TRY(vkGetMemoryFdPropertiesKHR(device_->device(), VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
                                         memory.fd, &fdProps));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device_->device(), buffer->get(), &req);
    auto type = pickMemoryType(*device_, req.memoryTypeBits & fdProps.memoryTypeBits, "dma-buf");
    if (!type)
        return std::unexpected(type.error());
    const int fd = dup(memory.fd); // Vulkan owns the fd it imports
    if (fd < 0)
        return fail(ErrorCode::Io, std::format("dup of dma-buf fd {} failed: {}", memory.fd, std::strerror(errno)));
    VkImportMemoryFdInfoKHR importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR};
    importInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
    importInfo.fd = fd;
    VkMemoryDedicatedAllocateInfo dedicated{VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO, &importInfo};
    dedicated.buffer = buffer->get();
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &dedicated};
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = *type;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    if (VkResult r = vkAllocateMemory(device_->device(), &mai, nullptr, &mem); r != VK_SUCCESS) {
        close(fd);
        return std::unexpected(vkError(r, "vkAllocateMemory (dma-buf import)"));
    }
    Imported out{std::move(*buffer), Owned<VkDeviceMemory>(device_->device(), mem), ImportPath::DmaBuf};
    RV_VK_TRY(vkBindBufferMemory(device_->device(), out.buffer.get(), mem, 0));
    return out;
}

Result<FrameImporter::Imported> FrameImporter::importHostPointer(const BufferMemory& memory) {
    const uint64_t align = device_->minImportedHostPointerAlignment();
    if (reinterpret_cast<uintptr_t>(memory.data) % align || memory.size % align)
        return fail(ErrorCode::Unsupported,
                    std::format("buffer mapping {} (+{} bytes) is not aligned to the GPU's {}-byte host-pointer "
                                "import alignment", static_cast<const void*>(memory.data), memory.size, align));
    auto buffer = createExternalBuffer(*device_, memory.size, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
    if (!buffer)
        return std::unexpected(buffer.error());
    VkMemoryHostPointerPropertiesEXT hostProps{VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
    RV_VK_TRY(vkGetMemoryHostPointerPropertiesEXT(device_->device(),
                                                  VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                                  memory.data, &hostProps));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device_->device(), buffer->get(), &req);
    auto type = pickMemoryType(*device_, req.memoryTypeBits & hostProps.memoryTypeBits, "host pointer");
    if (!type)
        return std::unexpected(type.error());
    VkImportMemoryHostPointerInfoEXT importInfo{VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT};
    importInfo.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    importInfo.pHostPointer = memory.data;
    VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, &importInfo};
    mai.allocationSize = memory.size;
    mai.memoryTypeIndex = *type;
    VkDeviceMemory mem = VK_NULL_HANDLE;
    RV_VK_TRY(vkAllocateMemory(device_->device(), &mai, nullptr, &mem));
    Imported out{std::move(*buffer), Owned<VkDeviceMemory>(device_->device(), mem), ImportPath::HostPointer};
    RV_VK_TRY(vkBindBufferMemory(device_->device(), out.buffer.get(), mem, 0));
    return out;
}

Result<GpuFrame> FrameImporter::acquire(const CapturedFrame& frame) {
    const BufferMemory& memory = *frame.memory;
    const VkDeviceSize frameBytes = VkDeviceSize(frame.uvOffset) + VkDeviceSize(frame.stride) * ((frame.height + 1) / 2);
    ++stats_.frames;
    stats_.bytesCopiedLastFrame = 0;

    if (auto it = cache_.find(memory.id); it != cache_.end()) {
        stats_.lastPath = it->second.path;
        return GpuFrame{it->second.buffer.get(), 0, frameBytes, it->second.path};
    }

    const auto t0 = std::chrono::steady_clock::now();
    const bool isDmaBuf = memory.kind == BufferKind::DmaHeap || memory.kind == BufferKind::Udmabuf ||
                          memory.kind == BufferKind::Exported;
    std::optional<Imported> imported;
    std::string whyNot;
    auto attempt = [&](ImportPath path, auto&& importFn) {
        if (imported || (force_ && *force_ != path))
            return;
        auto r = (this->*importFn)(memory);
        if (r)
            imported = std::move(*r);
        else
            whyNot += std::format("{} failed: {}; ", toString(path), r.error().message);
    };
    if (isDmaBuf && memory.fd >= 0 && device_->extensions().externalMemoryDmaBuf)
        attempt(ImportPath::DmaBuf, &FrameImporter::importDmaBuf);
    if (memory.data && device_->extensions().externalMemoryHost)
        attempt(ImportPath::HostPointer, &FrameImporter::importHostPointer);

    if (imported) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++stats_.imports;
        stats_.lastImportMs = ms;
        stats_.totalImportMs += ms;
        stats_.lastPath = imported->path;
        log::debug("imported buffer {} ({} bytes) by {} in {:.3f} ms", memory.id, memory.size,
                   toString(imported->path), ms);
        auto& entry = cache_[memory.id] = std::move(*imported);
        return GpuFrame{entry.buffer.get(), 0, frameBytes, entry.path};
    }
    if (force_ && *force_ != ImportPath::StagingCopy)
        return fail(ErrorCode::Unsupported, std::format("cannot import buffer {}: {}", memory.id, whyNot));

    // Staging copy: one CPU copy per frame into a GPU-readable buffer, counted. Two buffers
    // alternate; one still read by the GPU is waited for, never overwritten.
    Staging& slot = staging_[nextStaging_];
    nextStaging_ = (nextStaging_ + 1) % 2;
    if (slot.busyUntil)
        RV_TRY(device_->waitTimeline(slot.busyUntil));
    if (slot.buffer.size() < frameBytes) {
        auto b = Buffer::create(*device_, frameBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, MemoryUse::Upload);
        if (!b)
            return std::unexpected(b.error());
        slot.buffer = std::move(*b);
        if (!whyNot.empty())
            log::info("falling back to a staging copy per frame: {}", whyNot);
    }
    std::memcpy(slot.buffer.mapped(), memory.data, frameBytes);
    slot.buffer.flush();
    slot.busyUntil = 0;
    stats_.bytesCopiedLastFrame = frameBytes;
    stats_.bytesCopiedTotal += frameBytes;
    stats_.lastPath = ImportPath::StagingCopy;
    return GpuFrame{slot.buffer.get(), 0, frameBytes, ImportPath::StagingCopy};
}

void FrameImporter::submitted(const GpuFrame& frame, uint64_t value) {
    for (Staging& slot : staging_)
        if (slot.buffer.get() == frame.buffer)
            slot.busyUntil = value;
}

void FrameImporter::forget(uint64_t bufferId, uint64_t lastUse) {
    auto it = cache_.find(bufferId);
    if (it == cache_.end())
        return;
    device_->deferred().retire(lastUse, std::move(it->second));
    cache_.erase(it);
}

} // namespace rearview::gpu
