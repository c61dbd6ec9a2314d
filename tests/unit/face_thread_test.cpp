// SPDX-License-Identifier: MIT
// The face thread: latest image wins, the caller never waits, faces come back smoothed.
#include "analysis/face_thread.hpp"
#include "core/clock.hpp"
#include "support/portrait.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;
using analysis::FaceBox;

TEST_CASE("The face thread takes the newest image, finds the portrait's face and reports its latency", "[unit]") {
    auto thread = analysis::FaceThread::create();
    if (!thread)
        FAIL(thread.error().describe());
    CHECK((*thread)->faces().empty());

    // Five frames in a burst: detection takes tens of ms, so all but the image being
    // analysed are replaced by newer ones instead of queueing.
    for (int i = 0; i < 5; ++i)
        (*thread)->submit(test::portrait(), monotonicNs());
    const uint64_t submitted = 5;
    REQUIRE((*thread)->waitAnalysed(1, 10000));
    // Wait until every image is either analysed or replaced.
    for (int tries = 0; tries < 100; ++tries) {
        const auto s = (*thread)->stats();
        if (s.analysed + s.replaced == submitted)
            break;
        (*thread)->waitAnalysed(s.analysed + 1, 200);
    }
    const analysis::FaceAnalysisStats s = (*thread)->stats();
    INFO("analysed " << s.analysed << ", replaced " << s.replaced << ", detect " << s.lastDetectMs
                     << " ms, latency " << s.lastLatencyMs << " ms, " << s.rateHz << " Hz");
    CHECK(s.submitted == submitted);
    CHECK(s.analysed + s.replaced == submitted);
    CHECK(s.replaced >= 1);
    CHECK(s.failures == 0);
    CHECK(s.lastLatencyMs >= s.lastDetectMs);
    CHECK(s.lastDetectMs > 0);
    // One detection at a time: the rate cannot beat the detector's own run times.
    CHECK(s.rateHz > 0);
    CHECK(s.rateHz <= double(s.analysed) * 1000.0 / s.lastDetectMs * 1.001);

    const std::vector<FaceBox> faces = (*thread)->faces();
    REQUIRE(faces.size() == 1);
    // Where the detector finds the astronaut's face in the 904x572 panel (beauty_test.cpp).
    CHECK(analysis::intersectionOverUnion(faces[0], FaceBox{300, 0, 196, 134}) > 0.5f);
}

TEST_CASE("Stopping the face thread with an image pending returns promptly", "[unit]") {
    auto thread = analysis::FaceThread::create();
    if (!thread)
        FAIL(thread.error().describe());
    (*thread)->submit(test::portrait(), monotonicNs());
    (*thread)->submit(test::portrait(), monotonicNs());
    const uint64_t before = monotonicNs();
    thread->reset(); // joins after at most the detection in progress
    CHECK(double(monotonicNs() - before) / 1e6 < 5000.0);
}
