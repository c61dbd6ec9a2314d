// SPDX-License-Identifier: MIT
#pragma once

#include "core/frame.hpp"
#include "gpu/buffer.hpp"
#include "gpu/device.hpp"
#include "gpu/external_memory.hpp"
#include "gpu/handles.hpp"

#include <string_view>
#include <unordered_map>

namespace rearview::gpu {

/// How a capture buffer reaches the GPU.
enum class ImportPath : uint8_t {
    DmaBuf,      ///< VK_EXT_external_memory_dma_buf: the GPU reads the camera's buffer
    HostPointer, ///< VK_EXT_external_memory_host: the GPU reads the page-aligned CPU mapping
    StagingCopy, ///< last resort: the CPU copies every frame into a GPU-visible buffer
};
std::string_view toString(ImportPath path) noexcept;

/// Import statistics.
struct ImportStats {
    ImportPath lastPath = ImportPath::StagingCopy;
    uint64_t imports = 0;            ///< buffers imported (once per buffer)
    double lastImportMs = 0;         ///< CPU time of the last new-buffer import
    double totalImportMs = 0;
    uint64_t bytesCopiedLastFrame = 0;
    uint64_t bytesCopiedTotal = 0;
    uint64_t frames = 0;
};

/// A frame as the GPU sees it: a buffer holding the whole NV12 frame at `offset`.
struct GpuFrame {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0;
    VkDeviceSize size = 0;
    ImportPath path = ImportPath::StagingCopy;
    uint64_t memoryId = 0; ///< BufferMemory::id of the frame's buffer
    /// For transient memory (BufferMemory::transient): the frame's release handle, which its
    /// import keeps until it is destroyed (host memory must outlive its import).
    std::shared_ptr<void> keepAlive;
};

/// Imports capture buffers into Vulkan once per buffer and caches them for the buffer's life:
/// dma-buf fd import when the fd is a dma-buf and the device supports it, host-pointer
/// import of the mapping otherwise, a staging copy only as the last resort (counted).
class FrameImporter {
public:
    /// `forcePath` restricts the importer to one path (benchmarks and tests compare them).
    static Result<FrameImporter> create(Device& device, std::optional<ImportPath> forcePath = std::nullopt);

    /// The GPU view of `frame`'s buffer. Imports it on first sight; for the staging path copies
    /// the frame's bytes into a staging buffer owned by the importer.
    Result<GpuFrame> acquire(const CapturedFrame& frame);
    /// Tells the importer the timeline value of the submission that reads `frame`, so a
    /// staging buffer is not overwritten while the GPU may still read it, and the import of
    /// transient memory is destroyed (and the frame's release handle it keeps dropped) once
    /// that submission has completed.
    void submitted(const GpuFrame& frame, uint64_t value);
    /// Drops the cached import of a buffer once the GPU's last use of it (`lastUse`) completes.
    void forget(uint64_t bufferId, uint64_t lastUse);

    const ImportStats& stats() const { return stats_; }

private:
    struct Imported {
        /// Transient memory's release handle; declared first, so it is dropped after the
        /// import is destroyed.
        std::shared_ptr<void> keepAlive;
        ImportedBuffer gpu;
        ImportPath path = ImportPath::HostPointer;
    };

    Device* device_ = nullptr;
    std::optional<ImportPath> force_;
    std::unordered_map<uint64_t, Imported> cache_;
    struct Staging {
        Buffer buffer;
        uint64_t busyUntil = 0; ///< timeline value of the last submission reading it
    };
    Staging staging_[2];
    uint32_t nextStaging_ = 0;
    ImportStats stats_;
};

} // namespace rearview::gpu
