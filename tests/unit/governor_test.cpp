// SPDX-License-Identifier: MIT
// The frame-budget governor on a clock of its own: it sheds in the declared order when the
// panel processing's load is too high or a recording loses frames, restores with hysteresis
// when load falls, and pinned off sheds nothing.
#include "viewfinder/governor.hpp"

#include <catch2/catch_test_macros.hpp>

#include <vector>

using namespace rearview;
using rearview::viewfinder::Governor;

namespace {

constexpr uint64_t kFrameNs = 33'333'333; // a 30 fps camera

/// Runs `frames` camera frames through `g`; every admitted frame costs `costMs` of GPU time.
/// Returns the levels seen, in order, each once.
std::vector<uint32_t> run(Governor& g, uint64_t& nowNs, int frames, double costMs, uint64_t* losses = nullptr) {
    std::vector<uint32_t> levels{g.level()};
    for (int i = 0; i < frames; ++i) {
        nowNs += kFrameNs;
        if (losses)
            g.recordLosses(*losses);
        if (g.admit(nowNs))
            g.frameCost(costMs, 1.0);
        if (g.level() != levels.back())
            levels.push_back(g.level());
    }
    return levels;
}

} // namespace

TEST_CASE("Governor: an over-budget panel sheds in the declared order and comes back when the load goes",
          "[governor]") {
    Governor g({}, 4);
    uint64_t now = 1'000'000'000;
    CHECK(g.level() == 0);
    CHECK(g.faceEveryFrames() == 4);
    CHECK(Governor::levelName(0) == "full");

    // 45 ms per frame at 30 fps: a load of 1.35. It sheds until a frame's cost fits.
    const std::vector<uint32_t> down = run(g, now, 90, 45.0);
    INFO("levels down: " << down.size());
    REQUIRE(down.size() >= 2);
    for (size_t i = 1; i < down.size(); ++i)
        CHECK(down[i] > down[i - 1]); // only ever deeper, never back while overloaded
    const GovernorStats loaded = g.stats();
    CHECK(loaded.level >= 2);                // face analysis first, then every Nth frame
    CHECK(loaded.faceEveryFrames == 16);     // a quarter of the rate from level 1 on
    CHECK(loaded.panelEveryFrames >= 2);
    CHECK(45.0 * 30 / loaded.panelEveryFrames <= 1000 * 0.9); // the load now fits the budget
    CHECK(loaded.framesShed > 0);
    CHECK(loaded.sheds >= 1);
    CHECK(loaded.levelName == Governor::levelName(loaded.level));

    // It stays there while the load holds (hysteresis: no flapping).
    const std::vector<uint32_t> steady = run(g, now, 150, 45.0);
    CHECK(steady.size() == 1);

    // The load goes (2 ms per frame): it restores, one level at a time, back to everything.
    const std::vector<uint32_t> up = run(g, now, 900, 2.0);
    REQUIRE(up.back() == 0);
    for (size_t i = 1; i < up.size(); ++i)
        CHECK(up[i] == up[i - 1] - 1);
    CHECK(g.stats().restores == up.size() - 1);
    CHECK(g.faceEveryFrames() == 4);
    CHECK(g.stats().maxLevelReached == loaded.level);
}

TEST_CASE("Governor: a recording losing frames makes the panel give way first", "[governor]") {
    Governor g({}, 4);
    uint64_t now = 1'000'000'000;
    uint64_t losses = 0;
    // The panel itself fits its budget (10 ms per frame) ...
    run(g, now, 60, 10.0, &losses);
    CHECK(g.level() == 0);
    // ... but the recording loses a frame now and then: the panel sheds.
    for (int i = 0; i < 8; ++i) {
        ++losses;
        run(g, now, 8, 10.0, &losses);
    }
    CHECK(g.level() >= 2);
    // Once the recording keeps its frames, the levels come back.
    run(g, now, 1200, 10.0, &losses);
    CHECK(g.level() == 0);
}

TEST_CASE("Governor: pinned off or bounded, it sheds nothing or no deeper than allowed", "[governor]") {
    uint64_t now = 1'000'000'000;
    Governor off({.enabled = false}, 4);
    run(off, now, 300, 200.0);
    const GovernorStats s = off.stats();
    CHECK(s.level == 0);
    CHECK(s.sheds == 0);
    CHECK(s.framesShed == 0);
    CHECK(s.load > 1.0); // it still measures

    Governor bounded({.maxLevel = 2}, 4);
    run(bounded, now, 300, 200.0);
    CHECK(bounded.level() == 2);
    CHECK(bounded.stats().panelEveryFrames == 2);

    // A frame that found the pipeline full sheds at the next decision even at low load.
    Governor full({}, 0);
    full.admit(now);
    full.pipelineFull();
    run(full, now, 10, 1.0);
    CHECK(full.level() >= 1);
    CHECK(full.stats().framesPipelineFull == 1);
    CHECK(full.faceEveryFrames() == 0); // no face analysis stays none
}

TEST_CASE("Governor: while a photo works the panel gives way as deep as allowed, and returns after", "[governor]") {
    uint64_t now = 1'000'000'000;
    Governor g({.maxLevel = 5}, 4);
    run(g, now, 60, 5.0);
    REQUIRE(g.level() == 0);
    g.yieldToPhoto(true);
    int admitted = 0;
    for (int i = 0; i < 60; ++i) {
        now += kFrameNs;
        if (g.admit(now)) {
            ++admitted;
            g.frameCost(5.0, 1.0);
        }
    }
    const GovernorStats during = g.stats();
    CHECK(admitted == 60 / int(Governor::panelEveryFrames(5)));
    CHECK(during.photoWorking);
    CHECK(during.panelEveryFrames == Governor::panelEveryFrames(5));
    CHECK(during.levelName == Governor::levelName(5) + " (photo)");
    CHECK(during.framesForPhoto == uint64_t(60 - admitted));
    CHECK(during.level == 0); // the level the load decides is unchanged
    g.yieldToPhoto(false);
    run(g, now, 30, 5.0);
    CHECK(g.stats().panelEveryFrames == 1);
    CHECK(g.stats().levelName == "full");

    // Pinned off, the panel does not give way.
    Governor off({.enabled = false}, 4);
    off.yieldToPhoto(true);
    run(off, now, 30, 5.0);
    CHECK(off.stats().framesShed == 0);
}
