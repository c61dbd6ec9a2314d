// SPDX-License-Identifier: MIT
#include "capture/app_source.hpp"

#include "capture/buffer_allocator.hpp"
#include "core/clock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rearview {

struct AppSource::Memory {
    BufferMemory memory;
    void* mapping = nullptr; ///< of a dma-buf, for the CPU and host-pointer import
    size_t mapped = 0;
    ino_t inode = 0;          ///< a dma-buf's, to tell buffers apart
    const uint8_t* data = nullptr;
    size_t size = 0;

    Memory() = default;
    Memory(const Memory&) = delete;
    Memory& operator=(const Memory&) = delete;
    ~Memory() {
        if (mapping)
            ::munmap(mapping, mapped);
        if (memory.fd >= 0)
            ::close(memory.fd);
    }
};

namespace {

/// The frame's release handle: the app's callback once the last copy goes, then the memory
/// (a dma-buf's mapping and reference) unless an app buffer keeps it.
struct Releaser {
    std::shared_ptr<void> memory;
    std::function<void()> callback;
};

std::shared_ptr<void> releaseHandle(std::shared_ptr<void> memory, std::function<void()> callback) {
    return std::shared_ptr<void>(new Releaser{std::move(memory), std::move(callback)}, [](void* p) {
        auto* r = static_cast<Releaser*>(p);
        if (r->callback)
            r->callback();
        delete r;
    });
}

Result<void> checkLayout(const AppFrame& f, FrameSize size) {
    if (f.width != size.width || f.height != size.height)
        return fail(ErrorCode::InvalidArgument, std::format("app frame of {}x{}: this source takes {}x{} frames "
                                                            "(SourceOptions::size)",
                                                            f.width, f.height, size.width, size.height));
    if (f.stride < f.width || f.stride % 4 != 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("app frame stride {} must be at least the width {} and a multiple of 4", f.stride,
                                f.width));
    if (f.uvOffset < size_t(f.stride) * f.height || f.uvOffset % 4 != 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("app frame uvOffset {} must be at least stride x height = {} and a multiple of 4",
                                f.uvOffset, size_t(f.stride) * f.height));
    const size_t needed = f.uvOffset + size_t(f.stride) * (f.height / 2);
    if (f.size < needed)
        return fail(ErrorCode::InvalidArgument,
                    std::format("app frame memory of {} bytes is smaller than its layout ({} bytes: uvOffset {} + "
                                "stride {} x {} chroma rows)",
                                f.size, needed, f.uvOffset, f.stride, f.height / 2));
    if ((f.fd >= 0) == (f.data != nullptr))
        return fail(ErrorCode::InvalidArgument,
                    "app frame: give either a dma-buf fd (and data nullptr) or host memory at data (and fd -1)");
    return {};
}

} // namespace

Result<std::unique_ptr<AppSource>> AppSource::create(FrameSize size, ColorSpace colorSpace) {
    if (size.width == 0 || size.height == 0 || size.width % 2 || size.height % 2)
        return fail(ErrorCode::InvalidArgument,
                    std::format("an app source needs its frame size (SourceOptions::size), even and non-zero; got "
                                "{}x{}",
                                size.width, size.height));
    std::unique_ptr<AppSource> s(new AppSource());
    s->size_ = size;
    s->format_ = {size.width, size.height, (size.width + 3) & ~3u, size_t((size.width + 3) & ~3u) * size.height,
                  colorSpace};
    return s;
}

AppSource::~AppSource() {
    std::deque<CapturedFrame> queued;
    {
        std::lock_guard lock(mutex_);
        queued.swap(queue_);
    }
    // Released here, outside the lock; the buffers' memory goes with the last frame using it.
}

Result<std::shared_ptr<AppSource::Memory>> AppSource::memoryFor(const AppFrame& f) {
    struct stat st {};
    if (f.fd >= 0 && ::fstat(f.fd, &st) != 0)
        return fail(ErrorCode::InvalidArgument, std::format("app frame fd {}: {}", f.fd, std::strerror(errno)));
    if (f.bufferId != 0) {
        std::lock_guard lock(mutex_);
        if (auto it = buffers_.find(f.bufferId); it != buffers_.end()) {
            const Memory& m = *it->second;
            const bool same = f.fd >= 0 ? (m.inode == st.st_ino && m.memory.fd >= 0) : (m.data == f.data);
            if (!same || f.size > m.size)
                return fail(ErrorCode::InvalidArgument,
                            std::format("app buffer id {} named other memory before; an id names one buffer until "
                                        "the viewfinder is destroyed (use a new id, or 0 for memory of one frame)",
                                        f.bufferId));
            return it->second;
        }
    }
    auto m = std::make_shared<Memory>();
    m->memory.id = nextBufferId();
    m->memory.transient = f.bufferId == 0;
    m->data = f.data;
    m->size = f.size;
    if (f.fd >= 0) {
        const int fd = ::fcntl(f.fd, F_DUPFD_CLOEXEC, 0);
        if (fd < 0)
            return fail(ErrorCode::Io, std::format("app frame fd {}: cannot take a reference: {}", f.fd,
                                                   std::strerror(errno)));
        m->memory.fd = fd;
        m->inode = st.st_ino;
        const size_t page = pageSize();
        m->mapped = (f.size + page - 1) / page * page;
        void* p = ::mmap(nullptr, m->mapped, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            return fail(ErrorCode::Io, std::format("app frame fd {}: cannot map {} bytes: {}", f.fd, m->mapped,
                                                   std::strerror(errno)));
        m->mapping = p;
        m->memory.kind = BufferKind::Exported; // a dma-buf: the importer tries dma-buf import first
        m->memory.data = static_cast<uint8_t*>(p);
        m->memory.size = m->mapped;
    } else {
        m->memory.kind = BufferKind::Heap;
        // Read only, by the GPU and the staging copy; BufferMemory's pointer is not const.
        m->memory.data = const_cast<uint8_t*>(f.data);
        m->memory.size = f.size;
    }
    if (f.bufferId != 0) {
        std::lock_guard lock(mutex_);
        buffers_.emplace(f.bufferId, m);
    }
    return m;
}

Result<void> AppSource::push(AppFrame f) {
    // The release is called exactly once: by the frame's handle, or here when it is refused.
    auto refuse = [&](Error e) -> Result<void> {
        if (f.release)
            f.release();
        return std::unexpected(std::move(e));
    };
    if (auto ok = checkLayout(f, size_); !ok)
        return refuse(ok.error());
    auto memory = memoryFor(f);
    if (!memory)
        return refuse(memory.error());
    CapturedFrame frame;
    frame.memory = &(*memory)->memory;
    frame.width = f.width;
    frame.height = f.height;
    frame.stride = f.stride;
    frame.uvOffset = f.uvOffset;
    frame.colorSpace = f.colorSpace;
    frame.timestampNs = f.timestampNs ? f.timestampNs : monotonicNs();
    frame.timestampFromSensor = f.timestampNs != 0;
    frame.release = releaseHandle(*memory, std::move(f.release));
    std::optional<CapturedFrame> dropped;
    {
        std::lock_guard lock(mutex_);
        frame.sequence = sequence_++;
        if (queue_.size() >= kQueue) {
            dropped = std::move(queue_.front());
            queue_.pop_front();
            ++stats_.dropped;
        }
        queue_.push_back(std::move(frame));
        format_ = {f.width, f.height, f.stride, f.uvOffset, f.colorSpace};
        ++stats_.pushed;
    }
    ready_.notify_one();
    return {}; // a dropped frame is released here, outside the lock
}

Result<std::optional<CapturedFrame>> AppSource::nextFrame(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return !queue_.empty(); }))
        return std::optional<CapturedFrame>();
    CapturedFrame frame = std::move(queue_.front());
    queue_.pop_front();
    return std::optional<CapturedFrame>(std::move(frame));
}

FrameFormat AppSource::format() const {
    std::lock_guard lock(mutex_);
    return format_;
}

AppSourceStats AppSource::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

} // namespace rearview
