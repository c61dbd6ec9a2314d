// SPDX-License-Identifier: MIT
// The GPU reads exactly what the camera wrote: frames from libcamera's virtual camera are
// imported without a copy, and per-row sums of both planes computed on the GPU equal the
// CPU's over the same mapping, with each frame held until the GPU work reading it is done.
#include "camera_test_support.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/frames_in_flight.hpp"
#include "gpu/submitter.hpp"
#include "support/gpu_fixture.hpp"
#include "support/plane_row_sums.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;
using namespace rearview::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("The GPU reads exactly what the camera wrote, without a copy", "[camera][gpu]") {
    gpu::Device& dev = test::device();
    auto source = CameraSource::create({.cameraId = "main", .size = kFull, .frameRate = 0.0, .bufferCount = 4});
    if (!source) FAIL(source.error().describe());
    ImportRig rig(dev, 2, 2);
    auto& [importer, submitter, inFlight] = rig;
    GpuPlaneRowSums gpuSums(dev, *submitter, kFull.height);
    REQUIRE(source->start());

    constexpr int kFrames = 6;
    double gpuMs = 0;
    for (int i = 0; i < kFrames; ++i) {
        CapturedFrame frame = takeFrame(*source, 10s);
        INFO("frame " << frame.sequence << ", buffer " << frame.memory->id);
        const auto submitted = Clock::now();
        const uint64_t value = gpuSums.submit(*importer, frame);
        CHECK((importer->stats().lastPath == gpu::ImportPath::HostPointer ||
               importer->stats().lastPath == gpu::ImportPath::DmaBuf));
        CHECK(importer->stats().bytesCopiedLastFrame == 0);

        // From here on only FramesInFlight holds the frame: its buffer cannot go back to the
        // camera, and so cannot change, while the GPU reads it and the CPU sums it.
        CapturedFrame view = frame;
        view.release.reset();
        REQUIRE(inFlight->hold(std::move(frame), value));
        const std::vector<uint32_t> expected = cpuPlaneRowSums(view);
        REQUIRE(dev.waitTimeline(value));
        const std::vector<uint32_t> actual = gpuSums.read();
        REQUIRE(actual.size() == expected.size());
        size_t differing = 0, first = 0;
        for (size_t r = actual.size(); r-- > 0;)
            if (actual[r] != expected[r]) ++differing, first = r;
        INFO("first differing row " << first << " of " << actual.size() << " (Y rows, then CbCr rows)");
        CHECK(differing == 0);
        gpuMs += std::chrono::duration<double, std::milli>(Clock::now() - submitted).count();
        CHECK(inFlight->size() <= 2);
    }
    REQUIRE(inFlight->drain());
    const CameraStats stats = source->stats();
    source->stop();
    CHECK(stats.frameErrors == 0);
    CHECK(importer->stats().bytesCopiedTotal == 0);
    CHECK(importer->stats().imports <= 4); // once per buffer
    measure("main {}x{}: {} frames read by the GPU through {} ({} buffers, {} imports), {:.0f} ms per frame for the "
            "row sums of both planes on {}",
            kFull.width, kFull.height, kFrames, gpu::toString(importer->stats().lastPath), stats.bufferDescription,
            importer->stats().imports, gpuMs / kFrames, dev.info().name);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
