// SPDX-License-Identifier: MIT
#include "record/record_frame.hpp"

#include <cstdlib>
#include <utility>

namespace rearview::record {
namespace detail {

struct PoolState {
    std::mutex mutex;
    std::vector<uint8_t*> free;
    size_t bytes = 0;
    uint32_t limit = 0;
    uint32_t allocated = 0;
    bool closed = false; // the pool is gone: buffers coming back are freed

    ~PoolState() {
        for (uint8_t* p : free)
            std::free(p);
    }
};

FrameStorage& FrameStorage::operator=(FrameStorage&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        pool_ = std::move(other.pool_);
    }
    return *this;
}

void FrameStorage::release() noexcept {
    if (!data_)
        return;
    if (pool_) {
        std::lock_guard lock(pool_->mutex);
        if (!pool_->closed) {
            pool_->free.push_back(data_);
            data_ = nullptr;
        } else {
            --pool_->allocated;
        }
    }
    if (data_)
        std::free(data_);
    data_ = nullptr;
    size_ = 0;
    pool_.reset();
}

} // namespace detail

namespace {
uint32_t alignedStride(uint32_t width) { return (width + 63u) & ~63u; }
size_t frameBytes(uint32_t stride, uint32_t height) { return size_t(stride) * height + size_t(stride) * ((height + 1) / 2); }
uint8_t* allocBytes(size_t bytes) { return static_cast<uint8_t*>(std::aligned_alloc(64, (bytes + 63) & ~size_t(63))); }

RecordFrame layout(uint32_t width, uint32_t height, uint32_t stride, detail::FrameStorage storage) {
    RecordFrame f;
    f.width = width;
    f.height = height;
    f.yStride = stride;
    f.uvStride = stride;
    f.yOffset = 0;
    f.uvOffset = size_t(stride) * height;
    f.storage = std::move(storage);
    return f;
}
} // namespace

bool RecordFrame::valid() const noexcept {
    if (!storage.data() || width == 0 || height == 0 || yStride < width || uvStride < width)
        return false;
    const size_t yEnd = yOffset + size_t(yStride) * (height - 1) + width;
    const uint32_t uvRows = (height + 1) / 2;
    const size_t uvEnd = uvOffset + size_t(uvStride) * (uvRows - 1) + width;
    return yEnd <= storage.size() && uvEnd <= storage.size();
}

RecordFrame RecordFrame::allocate(uint32_t width, uint32_t height) {
    const uint32_t stride = alignedStride(width);
    const size_t bytes = frameBytes(stride, height);
    return layout(width, height, stride, detail::FrameStorage(allocBytes(bytes), bytes, nullptr));
}

FramePool::FramePool(uint32_t width, uint32_t height, uint32_t limit)
    : width_(width), height_(height), stride_(alignedStride(width)), state_(std::make_shared<detail::PoolState>()) {
    state_->bytes = frameBytes(stride_, height_);
    state_->limit = limit;
}

FramePool::~FramePool() {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    for (uint8_t* p : state_->free)
        std::free(p);
    state_->allocated -= uint32_t(state_->free.size());
    state_->free.clear();
}

std::optional<RecordFrame> FramePool::acquire() {
    uint8_t* data = nullptr;
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->free.empty()) {
            data = state_->free.back();
            state_->free.pop_back();
        } else if (state_->allocated < state_->limit) {
            ++state_->allocated; // reserved; allocated outside the lock
        } else {
            return std::nullopt;
        }
    }
    if (!data) {
        data = allocBytes(state_->bytes);
        if (!data) {
            std::lock_guard lock(state_->mutex);
            --state_->allocated;
            return std::nullopt;
        }
    }
    return layout(width_, height_, stride_, detail::FrameStorage(data, state_->bytes, state_));
}

uint32_t FramePool::allocated() const {
    std::lock_guard lock(state_->mutex);
    return state_->allocated;
}

uint32_t FramePool::available() const {
    std::lock_guard lock(state_->mutex);
    return uint32_t(state_->free.size()) + (state_->limit - state_->allocated);
}

} // namespace rearview::record
