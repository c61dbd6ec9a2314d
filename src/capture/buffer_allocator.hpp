// SPDX-License-Identifier: MIT
// Capture buffers rearview owns: dma-heap, then udmabuf, then memfd, whichever works first.
#pragma once

#include "core/frame.hpp"

#include <rearview/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// "dma-heap", "udmabuf", "memfd", "exported", "heap".
std::string_view toString(BufferKind kind) noexcept;

/// One mapped capture buffer. Move-only owner of its fd and CPU mapping; both go away with it.
class CaptureBuffer {
public:
    CaptureBuffer() = default;
    CaptureBuffer(CaptureBuffer&& other) noexcept;
    CaptureBuffer& operator=(CaptureBuffer&& other) noexcept;
    CaptureBuffer(const CaptureBuffer&) = delete;
    CaptureBuffer& operator=(const CaptureBuffer&) = delete;
    ~CaptureBuffer();

    const BufferMemory& memory() const { return memory_; }
    int fd() const { return memory_.fd; }
    uint8_t* data() const { return memory_.data; }
    size_t size() const { return memory_.size; }
    BufferKind kind() const { return memory_.kind; }

private:
    friend class BufferAllocator;
    BufferMemory memory_;
    void reset() noexcept;
};

/// Where to look for buffer providers. The defaults are the kernel's usual paths; tests
/// point them elsewhere to exercise fallbacks and failures.
struct BufferAllocatorOptions {
    /// Methods to try, in this order; the first whose probe allocation succeeds is used.
    std::vector<BufferKind> order{BufferKind::DmaHeap, BufferKind::Udmabuf, BufferKind::Memfd};
    /// dma-heap devices, tried in order.
    std::vector<std::string> dmaHeaps{"/dev/dma_heap/system", "/dev/dma_heap/linux,cma"};
    std::string udmabufDevice = "/dev/udmabuf";
    /// Refuse an allocation that would leave less than this many bytes of MemAvailable.
    size_t reserveBytes = 64u << 20;
};

/// Allocates page-aligned, page-multiple, CPU-mapped buffers with the first method that
/// works on this machine, and says which one it picked and why the others were skipped.
/// Move-only; buffers it allocated stay valid after it is destroyed.
class BufferAllocator {
public:
    /// Probes the methods in `options.order` with a one-page allocation. Fails with
    /// Unsupported when none works; the message lists why each failed.
    static Result<BufferAllocator> create(const BufferAllocatorOptions& options = {});

    BufferAllocator(BufferAllocator&& other) noexcept;
    BufferAllocator& operator=(BufferAllocator&& other) noexcept;
    BufferAllocator(const BufferAllocator&) = delete;
    BufferAllocator& operator=(const BufferAllocator&) = delete;
    ~BufferAllocator();

    /// The method in use.
    BufferKind kind() const { return kind_; }
    /// e.g. "dma-heap /dev/dma_heap/system", "udmabuf (/dev/udmabuf over a sealed memfd)", "memfd".
    const std::string& description() const { return description_; }
    /// Why earlier methods were skipped, e.g. "dma-heap: /dev/dma_heap/system: No such file or
    /// directory"; empty when the first one worked.
    const std::string& skipped() const { return skipped_; }

    /// One buffer of at least `bytes` (rounded up to whole pages), mapped read/write and
    /// backed by memory now (no lazy faults in the frame loop). `name` labels the memfd.
    /// Fails with OutOfMemory when the memory is not there, saying how much was asked for
    /// and how much is available.
    Result<CaptureBuffer> allocate(size_t bytes, std::string_view name = "rearview-capture");

    /// `count` buffers of `bytes` each; all or nothing.
    Result<std::vector<CaptureBuffer>> allocate(size_t count, size_t bytes,
                                                std::string_view name = "rearview-capture");

private:
    BufferAllocator() = default;
    Result<CaptureBuffer> allocateWith(BufferKind kind, size_t bytes, std::string_view name);

    BufferAllocatorOptions options_;
    BufferKind kind_ = BufferKind::Memfd;
    std::string description_;
    std::string skipped_;
    int providerFd_ = -1; ///< the dma-heap or /dev/udmabuf, open while the allocator lives
};

/// The system page size.
size_t pageSize() noexcept;

/// A BufferMemory::id no other buffer of the process has had.
uint64_t nextBufferId();

} // namespace rearview
