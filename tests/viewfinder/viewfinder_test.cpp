// SPDX-License-Identifier: MIT
// The whole viewfinder through its public API: a synthetic 30 fps source, the pipeline
// thread, the mailbox and a headless presenter at 120 Hz.
#include "support/gpu_fixture.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/viewfinder.hpp>

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

using test::syntheticHeadless;

std::filesystem::path scratch(const std::string& name) { return test::scratchPath("viewfinder-test", name); }

} // namespace

TEST_CASE("Headless at 120 Hz from a 30 fps source: every refresh accounted for, every frame shown, none stale",
          "[viewfinder]") {
    auto vf = Viewfinder::create(test::gpu(), syntheticHeadless());
    if (!vf)
        FAIL(vf.error().describe());
    REQUIRE((*vf)->start());
    std::this_thread::sleep_for(5s);
    (*vf)->stop();
    const ViewfinderStats s = (*vf)->stats();
    INFO("elapsed " << s.elapsedSeconds << " s, presented " << s.presented << ", missed " << s.missedRefreshes
                    << ", frames " << s.framesProcessed << ", never shown " << s.framesNeverShown << ", presents per frame "
                    << s.repeatsPerFrame << ", refreshes per frame " << s.refreshesPerFrame << ", stale "
                    << s.staleFrames << ", interval p50/p99 "
                    << s.presentIntervalMs.p50 << "/" << s.presentIntervalMs.p99 << " ms, latency ready p50 "
                    << s.sensorToReadyMs.p50 << " ms, presented p50 " << s.sensorToPresentedMs.p50 << " ms");
    // Every refresh of the run was either presented or counted as missed.
    const double refreshes = s.elapsedSeconds * 120.0;
    CHECK(double(s.presented + s.missedRefreshes) >= refreshes - 2);
    CHECK(double(s.presented + s.missedRefreshes) <= refreshes + 2);
    CHECK(s.presentTarget == "headless");
    // 30 fps into 120 Hz: each camera frame is shown, and stays on the panel for about four
    // refreshes (presents, plus refreshes a loaded machine missed while it was current).
    CHECK(s.framesProcessed >= 5 * 30 * 8 / 10);
    CHECK(s.framesNeverShown == 0);
    CHECK(s.refreshesPerFrame >= 3.5);
    CHECK(s.refreshesPerFrame <= 4.5);
    CHECK(s.repeatsPerFrame >= 1.0);
    CHECK(s.staleFrames == 0);
    CHECK(s.frameErrors == 0);
    CHECK(s.sensorToPresentedMs.p50 >= s.sensorToReadyMs.p50);
    CHECK((s.importPath == "host-pointer import" || s.importPath == "dma-buf import")); // never a copy
    CHECK(s.bytesCopied == 0);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Pipeline, geometry, HUD and snapshot change while the viewfinder runs", "[viewfinder]") {
    ViewfinderOptions o = syntheticHeadless();
    o.pipelineFile = REARVIEW_PIPELINES_DIR "/vivid.yaml";
    o.tracePath = scratch("trace.json").string();
    auto vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;
    REQUIRE(v.start());

    const auto withHud = scratch("hud.png"), withoutHud = scratch("nohud.png");
    REQUIRE(v.snapshot(withHud.string()));
    v.setHudVisible(false);
    std::this_thread::sleep_for(100ms);
    REQUIRE(v.snapshot(withoutHud.string()));
    const cv::Mat a = cv::imread(withHud.string()), b = cv::imread(withoutHud.string());
    REQUIRE(a.cols == 904);
    REQUIRE(a.rows == 572);
    // The HUD sits in the top-left corner and nowhere else.
    const cv::Rect corner(0, 0, 200, 40), rest(0, 200, 904, 372);
    CHECK(cv::norm(a(corner), b(corner), cv::NORM_INF) > 64);
    CHECK(cv::norm(a(rest), b(rest), cv::NORM_INF) <= 2); // synthetic frames differ only in noise-free ramps

    // A bad pipeline file is refused and the running one stays.
    auto bad = v.setPipeline(REARVIEW_PIPELINES_DIR "/no-such.yaml");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::NotFound);
    CHECK(v.pipeline().source == REARVIEW_PIPELINES_DIR "/vivid.yaml");
    REQUIRE(v.setPipeline(REARVIEW_PIPELINES_DIR "/mono-film.yaml"));
    ViewGeometry g = v.geometry();
    g.zoom = 2.5f;
    v.setGeometry(g);
    std::this_thread::sleep_for(300ms);
    const auto mono = scratch("mono.png");
    REQUIRE(v.snapshot(mono.string()));
    const cv::Mat m = cv::imread(mono.string());
    std::vector<cv::Mat> channels;
    cv::split(m, channels);
    CHECK(cv::norm(channels[0], channels[2], cv::NORM_INF) <= 2); // mono-film has no colour
    CHECK(v.geometry().zoom == 2.5f);
    v.stop();
    const ViewfinderStats s = v.stats();
    CHECK(s.pipelineSwitches == 1); // vivid, then mono-film (the bad file changed nothing)
    CHECK(s.snapshots == 3);
    CHECK(s.gpuStages.size() >= 2);
    CHECK(std::filesystem::file_size(o.tracePath) > 100);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Bad viewfinder options are refused with errors that name them", "[viewfinder]") {
    ViewfinderOptions o = syntheticHeadless();
    o.pipelineFile = "/nonexistent/look.yaml";
    auto vf = Viewfinder::create(test::gpu(), o);
    REQUIRE_FALSE(vf);
    CHECK(vf.error().message.find("/nonexistent/look.yaml") != std::string::npos);

    o = syntheticHeadless();
    o.source.kind = SourceKind::Stills;
    o.source.stillsPath = "/nonexistent";
    vf = Viewfinder::create(test::gpu(), o);
    REQUIRE_FALSE(vf);
    CHECK(vf.error().code == ErrorCode::NotFound);

    o = syntheticHeadless();
    o.panelWidth = 0;
    vf = Viewfinder::create(test::gpu(), o);
    REQUIRE_FALSE(vf);
    CHECK(vf.error().code == ErrorCode::InvalidArgument);

    o = syntheticHeadless();
    o.target = PresentTarget::Display;
    vf = Viewfinder::create(test::gpu(), o);
    if (!vf) // lavapipe drives no display; a GPU with one may succeed
        CHECK(vf.error().code != ErrorCode::Internal);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
