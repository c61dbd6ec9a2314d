// SPDX-License-Identifier: MIT
// The frame type every source (libcamera, synthetic) hands to the pipeline.
#pragma once

#include <rearview/color_space.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace rearview {

/// How a frame buffer's memory was obtained; decides how the GPU can import it.
enum class BufferKind : uint8_t {
    DmaHeap,   ///< /dev/dma_heap/* (a dma-buf)
    Udmabuf,   ///< /dev/udmabuf over a memfd (a dma-buf)
    Memfd,     ///< plain memfd (shared memory; imported as a host pointer)
    Exported,  ///< allocated by the pipeline handler (FrameBufferAllocator), a dma-buf
    Heap,      ///< ordinary process memory (synthetic sources)
};

/// Memory of one capture buffer: an fd (or -1), its CPU mapping and size. Lives as long as the
/// buffer is allocated; the GPU import cache keys on `id`.
struct BufferMemory {
    uint64_t id = 0;          ///< unique per buffer within the process
    int fd = -1;              ///< dma-buf or memfd, -1 for heap memory
    BufferKind kind = BufferKind::Heap;
    uint8_t* data = nullptr;  ///< CPU mapping of the whole buffer (page aligned for fds)
    size_t size = 0;          ///< bytes mapped (page multiple for fds)
    /// The memory is for this frame only (an app's frame without a buffer id): its GPU import
    /// is not kept for later frames but goes once the submission reading it has completed.
    bool transient = false;
};

/// One NV12 frame as captured. Holding it keeps the buffer out of the camera's hands; the
/// buffer is requeued when the last copy of `release` is dropped, which the pipeline does only
/// after every GPU submission reading it has completed.
struct CapturedFrame {
    const BufferMemory* memory = nullptr;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t stride = 0;      ///< bytes per row, both planes
    size_t uvOffset = 0;      ///< byte offset of the CbCr plane within the buffer
    ColorSpace colorSpace{};
    /// Sensor timestamp in ns on CLOCK_MONOTONIC (what V4L2 drivers and libcamera's virtual
    /// camera report; std::chrono::steady_clock on Linux), or the completion time on that clock
    /// when the camera gave 0 (`timestampFromSensor` false).
    uint64_t timestampNs = 0;
    bool timestampFromSensor = true;
    uint64_t sequence = 0;    ///< rearview's own counter per source, from 0
    /// What the camera reported for the frame (libcamera's ExposureTime and AnalogueGain):
    /// 0 when it did not (a photo's EXIF then leaves them out).
    uint32_t exposureUs = 0;
    float analogueGain = 0;
    std::shared_ptr<void> release; ///< drop to give the buffer back
};

} // namespace rearview
