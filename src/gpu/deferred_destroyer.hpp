// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace rearview::gpu {

/// Holds objects the GPU may still read until the device timeline passes the value of
/// their last use, then destroys them (the Granite / libplacebo pattern: no
/// vkDeviceWaitIdle in steady state).
class DeferredDestroyer {
public:
    DeferredDestroyer() = default;
    DeferredDestroyer(const DeferredDestroyer&) = delete;
    DeferredDestroyer& operator=(const DeferredDestroyer&) = delete;
    ~DeferredDestroyer() { collect(UINT64_MAX); }

    /// Keeps `object` alive until collect() sees a completed value >= lastUse.
    template <typename T>
    void retire(uint64_t lastUse, T object) {
        std::lock_guard lock(mutex_);
        pending_.push_back({lastUse, [o = std::move(object)]() mutable { T gone = std::move(o); }});
    }

    /// Destroys everything whose last use has completed; returns how many were destroyed.
    size_t collect(uint64_t completed) {
        std::deque<Entry> ready;
        {
            std::lock_guard lock(mutex_);
            for (auto it = pending_.begin(); it != pending_.end();) {
                if (it->lastUse <= completed) {
                    ready.push_back(std::move(*it));
                    it = pending_.erase(it);
                } else {
                    ++it;
                }
            }
        }
        for (auto& e : ready)
            e.destroy();
        return ready.size();
    }

    size_t pending() const {
        std::lock_guard lock(mutex_);
        return pending_.size();
    }

private:
    struct Entry {
        uint64_t lastUse;
        std::move_only_function<void()> destroy;
    };
    mutable std::mutex mutex_;
    std::deque<Entry> pending_;
};

} // namespace rearview::gpu
