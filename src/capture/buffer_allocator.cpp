// SPDX-License-Identifier: MIT
#include "capture/buffer_allocator.hpp"

#include "core/log.hpp"

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <format>
#include <fstream>
#include <string>
#include <utility>

namespace rearview {
namespace {

std::string errnoText(int err) { return std::strerror(err); }

std::string megabytes(size_t bytes) { return std::format("{:.1f} MB", double(bytes) / (1024.0 * 1024.0)); }

size_t roundUpToPage(size_t bytes) {
    const size_t page = pageSize();
    return (bytes + page - 1) / page * page;
}

/// MemAvailable from /proc/meminfo in bytes; 0 when it cannot be read (no check then).
size_t memAvailable() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    size_t value = 0;
    std::string unit;
    while (in >> key >> value) {
        std::getline(in, unit);
        if (key == "MemAvailable:") return value * 1024;
    }
    return 0;
}

class UniqueFd {
public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&&) = delete;
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

/// A memfd of exactly `bytes`, backed now (fallocate: an out-of-memory shows up here as an
/// error rather than as SIGBUS in the camera thread later) and sealed against resizing, which
/// udmabuf requires and which keeps a GPU host-pointer import valid.
Result<UniqueFd> makeSealedMemfd(size_t bytes, std::string_view name) {
    UniqueFd fd(::memfd_create(std::string(name).c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
    if (fd.get() < 0) return fail(ErrorCode::Unsupported, std::format("memfd_create failed: {}", errnoText(errno)));
    if (::ftruncate(fd.get(), off_t(bytes)) != 0)
        return fail(ErrorCode::OutOfMemory, std::format("sizing a {} memfd failed: {}", megabytes(bytes), errnoText(errno)));
    if (int err = ::posix_fallocate(fd.get(), 0, off_t(bytes)); err != 0)
        return fail(ErrorCode::OutOfMemory,
                    std::format("backing a {} memfd with memory failed: {}", megabytes(bytes), errnoText(err)));
    if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
        return fail(ErrorCode::Internal, std::format("sealing a memfd failed: {}", errnoText(errno)));
    return fd;
}

Result<uint8_t*> mapShared(int fd, size_t bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED)
        return fail(ErrorCode::OutOfMemory, std::format("mapping a {} buffer failed: {}", megabytes(bytes), errnoText(errno)));
    return static_cast<uint8_t*>(p);
}

} // namespace

uint64_t nextBufferId() {
    static std::atomic<uint64_t> id{1};
    return id.fetch_add(1, std::memory_order_relaxed);
}

size_t pageSize() noexcept {
    static const size_t page = [] {
        long p = ::sysconf(_SC_PAGESIZE);
        return p > 0 ? size_t(p) : size_t(4096);
    }();
    return page;
}

std::string_view toString(BufferKind kind) noexcept {
    switch (kind) {
    case BufferKind::DmaHeap: return "dma-heap";
    case BufferKind::Udmabuf: return "udmabuf";
    case BufferKind::Memfd: return "memfd";
    case BufferKind::Exported: return "exported";
    case BufferKind::Heap: return "heap";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------- CaptureBuffer

CaptureBuffer::CaptureBuffer(CaptureBuffer&& other) noexcept : memory_(std::exchange(other.memory_, {})) {}

CaptureBuffer& CaptureBuffer::operator=(CaptureBuffer&& other) noexcept {
    if (this != &other) {
        reset();
        memory_ = std::exchange(other.memory_, {});
    }
    return *this;
}

CaptureBuffer::~CaptureBuffer() { reset(); }

void CaptureBuffer::reset() noexcept {
    if (memory_.data) ::munmap(memory_.data, memory_.size);
    if (memory_.fd >= 0) ::close(memory_.fd);
    memory_ = {};
}

// -------------------------------------------------------------------------- BufferAllocator

BufferAllocator::BufferAllocator(BufferAllocator&& other) noexcept
    : options_(std::move(other.options_)), kind_(other.kind_), description_(std::move(other.description_)),
      skipped_(std::move(other.skipped_)), providerFd_(std::exchange(other.providerFd_, -1)) {}

BufferAllocator& BufferAllocator::operator=(BufferAllocator&& other) noexcept {
    if (this != &other) {
        if (providerFd_ >= 0) ::close(providerFd_);
        options_ = std::move(other.options_);
        kind_ = other.kind_;
        description_ = std::move(other.description_);
        skipped_ = std::move(other.skipped_);
        providerFd_ = std::exchange(other.providerFd_, -1);
    }
    return *this;
}

BufferAllocator::~BufferAllocator() {
    if (providerFd_ >= 0) ::close(providerFd_);
}

Result<BufferAllocator> BufferAllocator::create(const BufferAllocatorOptions& options) {
    if (options.order.empty())
        return fail(ErrorCode::InvalidArgument, "BufferAllocatorOptions::order is empty: list at least one buffer kind");

    BufferAllocator allocator;
    allocator.options_ = options;
    std::string skipped;
    auto skip = [&](std::string why) {
        if (!skipped.empty()) skipped += "; ";
        skipped += why;
    };

    for (BufferKind kind : options.order) {
        switch (kind) {
        case BufferKind::DmaHeap: {
            if (options.dmaHeaps.empty()) skip("dma-heap: no heap paths configured");
            for (const std::string& heap : options.dmaHeaps) {
                int fd = ::open(heap.c_str(), O_RDWR | O_CLOEXEC);
                if (fd < 0) {
                    skip(std::format("dma-heap: {}: {}", heap, errnoText(errno)));
                    continue;
                }
                allocator.providerFd_ = fd;
                allocator.kind_ = BufferKind::DmaHeap;
                if (auto probe = allocator.allocateWith(kind, pageSize(), "rearview-probe"); !probe) {
                    skip(std::format("dma-heap: {}: {}", heap, probe.error().message));
                    ::close(std::exchange(allocator.providerFd_, -1));
                    continue;
                }
                allocator.description_ = std::format("dma-heap {}", heap);
                break;
            }
            break;
        }
        case BufferKind::Udmabuf: {
            int fd = ::open(options.udmabufDevice.c_str(), O_RDWR | O_CLOEXEC);
            if (fd < 0) {
                skip(std::format("udmabuf: {}: {}", options.udmabufDevice, errnoText(errno)));
                break;
            }
            allocator.providerFd_ = fd;
            allocator.kind_ = BufferKind::Udmabuf;
            if (auto probe = allocator.allocateWith(kind, pageSize(), "rearview-probe"); !probe) {
                skip(std::format("udmabuf: {}", probe.error().message));
                ::close(std::exchange(allocator.providerFd_, -1));
                break;
            }
            allocator.description_ = std::format("udmabuf ({} over a sealed memfd)", options.udmabufDevice);
            break;
        }
        case BufferKind::Memfd: {
            allocator.kind_ = BufferKind::Memfd;
            if (auto probe = allocator.allocateWith(kind, pageSize(), "rearview-probe"); !probe) {
                skip(std::format("memfd: {}", probe.error().message));
                break;
            }
            allocator.description_ = "memfd";
            break;
        }
        case BufferKind::Exported:
        case BufferKind::Heap:
            return fail(ErrorCode::InvalidArgument,
                        std::format("BufferAllocatorOptions::order lists '{}', which BufferAllocator cannot make; "
                                    "use dma-heap, udmabuf or memfd",
                                    toString(kind)));
        }
        if (!allocator.description_.empty()) {
            allocator.skipped_ = std::move(skipped);
            // Said once per process at info level; every camera open makes an allocator.
            static std::atomic<bool> said{false};
            const LogLevel level = allocator.skipped_.empty() || said.exchange(true) ? LogLevel::Debug : LogLevel::Info;
            if (allocator.skipped_.empty())
                log::at(level, "capture buffers: {}", allocator.description_);
            else
                log::at(level, "capture buffers: {} (skipped {})", allocator.description_, allocator.skipped_);
            return allocator;
        }
    }
    return fail(ErrorCode::Unsupported, std::format("no way to allocate capture buffers on this machine: {}", skipped));
}

Result<CaptureBuffer> BufferAllocator::allocate(size_t bytes, std::string_view name) {
    if (bytes == 0) return fail(ErrorCode::InvalidArgument, "cannot allocate a capture buffer of 0 bytes");
    const size_t size = roundUpToPage(bytes);
    if (size_t available = memAvailable(); available != 0 && size + options_.reserveBytes > available)
        return fail(ErrorCode::OutOfMemory,
                    std::format("cannot allocate a {} capture buffer ({}): only {} of memory is available and {} is kept "
                                "in reserve; use a smaller capture size or fewer buffers, or free memory",
                                megabytes(size), description_, megabytes(available), megabytes(options_.reserveBytes)));
    auto buffer = allocateWith(kind_, size, name);
    if (!buffer)
        return fail(buffer.error().code,
                    std::format("cannot allocate a {} capture buffer ({}): {}", megabytes(size), description_,
                                buffer.error().message));
    return buffer;
}

Result<std::vector<CaptureBuffer>> BufferAllocator::allocate(size_t count, size_t bytes, std::string_view name) {
    // Checked up front so a too-large request fails before any of it is allocated.
    const size_t total = roundUpToPage(bytes) * count;
    if (size_t available = memAvailable(); available != 0 && total + options_.reserveBytes > available)
        return fail(ErrorCode::OutOfMemory,
                    std::format("cannot allocate {} capture buffers of {} ({} in all, {}): only {} of memory is "
                                "available and {} is kept in reserve; use a smaller capture size or fewer buffers, or "
                                "free memory",
                                count, megabytes(roundUpToPage(bytes)), megabytes(total), description_,
                                megabytes(available), megabytes(options_.reserveBytes)));
    std::vector<CaptureBuffer> buffers;
    buffers.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        auto buffer = allocate(bytes, name);
        if (!buffer) return std::unexpected(buffer.error());
        buffers.push_back(std::move(*buffer));
    }
    return buffers;
}

Result<CaptureBuffer> BufferAllocator::allocateWith(BufferKind kind, size_t size, std::string_view name) {
    CaptureBuffer buffer;
    buffer.memory_.kind = kind;
    buffer.memory_.size = size;
    buffer.memory_.id = nextBufferId();

    switch (kind) {
    case BufferKind::DmaHeap: {
        dma_heap_allocation_data data{};
        data.len = size;
        data.fd_flags = O_RDWR | O_CLOEXEC;
        if (::ioctl(providerFd_, DMA_HEAP_IOCTL_ALLOC, &data) != 0)
            return fail(errno == ENOMEM ? ErrorCode::OutOfMemory : ErrorCode::Internal,
                        std::format("DMA_HEAP_IOCTL_ALLOC failed: {}", errnoText(errno)));
        buffer.memory_.fd = int(data.fd);
        break;
    }
    case BufferKind::Udmabuf: {
        auto memfd = makeSealedMemfd(size, name);
        if (!memfd) return std::unexpected(memfd.error());
        udmabuf_create create{};
        create.memfd = uint32_t(memfd->get());
        create.flags = UDMABUF_FLAGS_CLOEXEC;
        create.offset = 0;
        create.size = size;
        // The dma-buf pins the memfd's pages, so the memfd itself can be closed.
        int fd = ::ioctl(providerFd_, UDMABUF_CREATE, &create);
        if (fd < 0)
            return fail(errno == ENOMEM ? ErrorCode::OutOfMemory : ErrorCode::Internal,
                        std::format("UDMABUF_CREATE failed: {}", errnoText(errno)));
        buffer.memory_.fd = fd;
        break;
    }
    case BufferKind::Memfd: {
        auto memfd = makeSealedMemfd(size, name);
        if (!memfd) return std::unexpected(memfd.error());
        buffer.memory_.fd = memfd->release();
        break;
    }
    case BufferKind::Exported:
    case BufferKind::Heap:
        return fail(ErrorCode::InvalidArgument, "BufferAllocator only makes dma-heap, udmabuf and memfd buffers");
    }

    auto data = mapShared(buffer.memory_.fd, size);
    if (!data) return std::unexpected(data.error());
    buffer.memory_.data = *data;
    return buffer;
}

} // namespace rearview
