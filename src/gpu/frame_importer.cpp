// SPDX-License-Identifier: MIT
#include "gpu/frame_importer.hpp"

#include "core/log.hpp"

#include <chrono>
#include <cstring>
#include <format>

namespace rearview::gpu {

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

Result<GpuFrame> FrameImporter::acquire(const CapturedFrame& frame) {
    const BufferMemory& memory = *frame.memory;
    const VkDeviceSize frameBytes = VkDeviceSize(frame.uvOffset) + VkDeviceSize(frame.stride) * ((frame.height + 1) / 2);
    ++stats_.frames;
    stats_.bytesCopiedLastFrame = 0;

    if (auto it = cache_.find(memory.id); it != cache_.end()) {
        stats_.lastPath = it->second.path;
        return GpuFrame{it->second.gpu.buffer.get(), 0, frameBytes, it->second.path, memory.id, it->second.keepAlive};
    }

    const auto t0 = std::chrono::steady_clock::now();
    const bool isDmaBuf = memory.kind == BufferKind::DmaHeap || memory.kind == BufferKind::Udmabuf ||
                          memory.kind == BufferKind::Exported;
    std::optional<Imported> imported;
    std::string whyNot;
    auto attempt = [&](ImportPath path, auto&& importFn) {
        if (imported || (force_ && *force_ != path))
            return;
        auto r = importFn();
        if (r)
            imported = Imported{.gpu = std::move(*r), .path = path};
        else
            whyNot += std::format("{} failed: {}; ", toString(path), r.error().message);
    };
    if (isDmaBuf && memory.fd >= 0 && device_->extensions().externalMemoryDmaBuf)
        attempt(ImportPath::DmaBuf, [&] { return importDmaBuf(*device_, memory.fd, memory.size); });
    if (memory.data && device_->extensions().externalMemoryHost)
        attempt(ImportPath::HostPointer, [&] { return importHostMemory(*device_, memory.data, memory.size); });

    if (imported) {
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        ++stats_.imports;
        stats_.lastImportMs = ms;
        stats_.totalImportMs += ms;
        stats_.lastPath = imported->path;
        log::debug("imported buffer {} ({} bytes) by {} in {:.3f} ms", memory.id, memory.size,
                   toString(imported->path), ms);
        if (memory.transient)
            imported->keepAlive = frame.release;
        auto& entry = cache_[memory.id] = std::move(*imported);
        return GpuFrame{entry.gpu.buffer.get(), 0, frameBytes, entry.path, memory.id, entry.keepAlive};
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
    return GpuFrame{slot.buffer.get(), 0, frameBytes, ImportPath::StagingCopy, memory.id};
}

void FrameImporter::submitted(const GpuFrame& frame, uint64_t value) {
    for (Staging& slot : staging_)
        if (slot.buffer.get() == frame.buffer)
            slot.busyUntil = value;
    if (frame.keepAlive) // transient memory: read by this submission only
        forget(frame.memoryId, value);
}

void FrameImporter::forget(uint64_t bufferId, uint64_t lastUse) {
    auto it = cache_.find(bufferId);
    if (it == cache_.end())
        return;
    device_->deferred().retire(lastUse, std::move(it->second));
    cache_.erase(it);
}

} // namespace rearview::gpu
