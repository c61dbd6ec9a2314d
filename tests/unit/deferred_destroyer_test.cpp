// SPDX-License-Identifier: MIT
#include "gpu/deferred_destroyer.hpp"

#include <catch2/catch_test_macros.hpp>

#include <memory>
#include <utility>

using rearview::gpu::DeferredDestroyer;

namespace {
struct Tracked {
    int* destroyed;
    explicit Tracked(int* d) : destroyed(d) {}
    Tracked(Tracked&& o) noexcept : destroyed(std::exchange(o.destroyed, nullptr)) {}
    ~Tracked() {
        if (destroyed)
            ++*destroyed;
    }
};
} // namespace

TEST_CASE("Deferred destruction waits for the timeline value of the last use", "[unit]") {
    int destroyed = 0;
    DeferredDestroyer d;
    d.retire(5, Tracked(&destroyed));
    d.retire(7, Tracked(&destroyed));
    CHECK(d.collect(4) == 0);
    CHECK(destroyed == 0);
    CHECK(d.collect(5) == 1);
    CHECK(destroyed == 1);
    CHECK(d.pending() == 1);
    CHECK(d.collect(100) == 1);
    CHECK(destroyed == 2);
}

TEST_CASE("Deferred destruction frees everything when destroyed", "[unit]") {
    int destroyed = 0;
    {
        DeferredDestroyer d;
        d.retire(1000, Tracked(&destroyed));
        d.retire(2000, std::make_unique<Tracked>(&destroyed));
    }
    CHECK(destroyed == 2);
}
