// SPDX-License-Identifier: MIT
#include "analysis/face_tracker.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace rearview;
using analysis::FaceBox;
using analysis::FaceTracker;

TEST_CASE("FaceTracker smooths a moving face's box exponentially", "[unit]") {
    FaceTracker tracker({.smoothing = 0.5f, .holdUpdates = 2, .matchIou = 0.3f});
    const FaceBox first{100, 50, 80, 80};
    tracker.update(std::span(&first, 1));
    REQUIRE(tracker.boxes().size() == 1);
    CHECK(tracker.boxes()[0].x == 100.0f); // a new face starts where it was seen

    const FaceBox moved{110, 54, 84, 80};
    tracker.update(std::span(&moved, 1));
    REQUIRE(tracker.boxes().size() == 1);
    const FaceBox b = tracker.boxes()[0];
    CHECK(b.x == Catch::Approx(105.0f));
    CHECK(b.y == Catch::Approx(52.0f));
    CHECK(b.width == Catch::Approx(82.0f));
    CHECK(b.height == Catch::Approx(80.0f));
    CHECK(tracker.tracks()[0].hits == 2);

    // Converges on a face that stays still.
    for (int i = 0; i < 20; ++i)
        tracker.update(std::span(&moved, 1));
    CHECK(tracker.boxes()[0].x == Catch::Approx(110.0f).margin(0.01));
}

TEST_CASE("FaceTracker holds a briefly lost face, then drops it", "[unit]") {
    FaceTracker tracker({.smoothing = 0.5f, .holdUpdates = 2, .matchIou = 0.3f});
    const FaceBox face{200, 100, 60, 60};
    tracker.update(std::span(&face, 1));
    tracker.update({});
    tracker.update({});
    REQUIRE(tracker.boxes().size() == 1); // held for two updates, unchanged
    CHECK(tracker.boxes()[0].x == 200.0f);
    CHECK(tracker.tracks()[0].missed == 2);

    // Found again within the hold: the same track continues.
    tracker.update(std::span(&face, 1));
    REQUIRE(tracker.tracks().size() == 1);
    CHECK(tracker.tracks()[0].missed == 0);
    CHECK(tracker.tracks()[0].hits == 2);

    tracker.update({});
    tracker.update({});
    tracker.update({});
    CHECK(tracker.boxes().empty());
}

TEST_CASE("FaceTracker keeps separate faces apart and starts tracks for new ones", "[unit]") {
    FaceTracker tracker({.smoothing = 0.5f, .holdUpdates = 1, .matchIou = 0.3f});
    const FaceBox two[] = {{100, 100, 50, 50}, {400, 120, 60, 60}};
    tracker.update(two);
    REQUIRE(tracker.boxes().size() == 2);
    // A detection far from both is a new face, not a jump of an old one.
    const FaceBox elsewhere[] = {{102, 100, 50, 50}, {700, 300, 40, 40}};
    tracker.update(elsewhere);
    const auto boxes = tracker.boxes();
    REQUIRE(boxes.size() == 3);
    CHECK(boxes[0].x == Catch::Approx(101.0f));
    CHECK(boxes[1].x == 400.0f); // held
    CHECK(boxes[2].x == 700.0f);
    CHECK(analysis::intersectionOverUnion(two[0], two[1]) == 0.0f);
    CHECK(analysis::intersectionOverUnion(two[0], two[0]) == Catch::Approx(1.0f));
}
