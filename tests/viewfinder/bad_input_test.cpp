// SPDX-License-Identifier: MIT
// Bad input at the viewfinder's public entry points: every out-of-range or malformed value is
// refused by the call that took it, with the error code and a message naming the value, and
// nothing is left half made (a refused create() returns no viewfinder; a refused change leaves
// the running one as it was).
#include "support/gpu_fixture.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/viewfinder.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

struct BadCase {
    const char* what;
    std::function<void(ViewfinderOptions&)> spoil;
    ErrorCode code;
    const char* named; ///< a piece of the message: the value or key it names
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string writeFile(const char* name, const std::string& bytes) {
    const auto path = test::scratchPath("bad-input", name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
}

} // namespace

TEST_CASE("Viewfinder::create refuses each bad option with its code, naming the value", "[gpu]") {
    const std::string junk = writeFile("junk.yaml", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\x03\0>\0", 16));
    const std::string dir = test::scratchPath("bad-input", "a-directory.yaml").string();
    std::filesystem::create_directories(dir);
    const std::vector<BadCase> cases = {
        {"panel 0 wide", [](auto& o) { o.panelWidth = 0; }, ErrorCode::InvalidArgument, "panel size 0x572"},
        {"panel huge", [](auto& o) { o.panelHeight = 100000; }, ErrorCode::InvalidArgument, "904x100000"},
        {"refresh 0 Hz", [](auto& o) { o.refreshHz = 0; }, ErrorCode::InvalidArgument, "refresh rate 0 Hz"},
        {"refresh NaN", [](auto& o) { o.refreshHz = kNaN; }, ErrorCode::InvalidArgument, "refresh rate nan"},
        {"source rate 0", [](auto& o) { o.source.frameRate = 0; }, ErrorCode::InvalidArgument, "frame rate 0"},
        {"source rate NaN", [](auto& o) { o.source.frameRate = kNaN; }, ErrorCode::InvalidArgument, "frame rate nan"},
        {"unknown source kind", [](auto& o) { o.source.kind = SourceKind(42); }, ErrorCode::InvalidArgument,
         "source kind 42"},
        {"source 0 wide", [](auto& o) { o.source.size = {0, 1530}; }, ErrorCode::InvalidArgument, "0x1530"},
        {"source huge", [](auto& o) { o.source.size = {100000, 100000}; }, ErrorCode::InvalidArgument,
         "100000x100000"},
        {"zoom NaN", [](auto& o) { o.geometry.zoom = float(kNaN); }, ErrorCode::InvalidArgument, "zoom nan"},
        {"zoom 0", [](auto& o) { o.geometry.zoom = 0; }, ErrorCode::InvalidArgument, "zoom 0"},
        {"centre NaN", [](auto& o) { o.geometry.centerX = float(kNaN); }, ErrorCode::InvalidArgument, "centre"},
        {"rotation 45", [](auto& o) { o.geometry.rotation = Rotation(45); }, ErrorCode::InvalidArgument,
         "rotation 45"},
        {"unknown fit", [](auto& o) { o.geometry.fit = FitMode(7); }, ErrorCode::InvalidArgument, "fit mode 7"},
        {"unknown target", [](auto& o) { o.target = PresentTarget(9); }, ErrorCode::InvalidArgument,
         "present target 9"},
        {"0 frames in flight", [](auto& o) { o.framesInFlight = 0; }, ErrorCode::InvalidArgument, "0"},
        {"faces every 0 frames", [](auto& o) { o.faceEveryFrames = 0; }, ErrorCode::InvalidArgument,
         "faceEveryFrames 0"},
        {"missing pipeline", [](auto& o) { o.pipelineFile = "/nonexistent/look.yaml"; }, ErrorCode::NotFound,
         "/nonexistent/look.yaml"},
        {"pipeline is a directory", [dir](auto& o) { o.pipelineFile = dir; }, ErrorCode::InvalidArgument,
         "a-directory.yaml"},
        {"pipeline is binary junk", [junk](auto& o) { o.pipelineFile = junk; }, ErrorCode::Parse, "junk.yaml"},
        {"trace into a missing folder", [](auto& o) { o.tracePath = "/nonexistent/dir/trace.json"; },
         ErrorCode::Io, "/nonexistent/dir/trace.json"},
    };
    for (const BadCase& c : cases) {
        DYNAMIC_SECTION(c.what) {
            ViewfinderOptions o = test::syntheticHeadless();
            c.spoil(o);
            auto vf = Viewfinder::create(test::gpu(), std::move(o));
            REQUIRE_FALSE(vf);
            INFO(vf.error().describe());
            CHECK(vf.error().code == c.code);
            CHECK(vf.error().message.find(c.named) != std::string::npos);
        }
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("A running viewfinder refuses bad changes and keeps what it had", "[gpu]") {
    auto vf = Viewfinder::create(test::gpu(), test::syntheticHeadless());
    REQUIRE(vf);
    REQUIRE((*vf)->start());
    const std::string junk = writeFile("junk2.yaml", "\x01\x02\x03 not: [yaml");
    const std::string dir = test::scratchPath("bad-input", "dir2.yaml").string();
    std::filesystem::create_directories(dir);

    for (const std::string& path : {std::string(), dir, junk, std::string("/nonexistent/x.yaml")}) {
        auto r = (*vf)->setPipeline(path);
        if (path.empty()) {
            CHECK(r); // "" is "no pipeline", a valid choice
            continue;
        }
        REQUIRE_FALSE(r);
        INFO(r.error().describe());
        CHECK(r.error().message.find(std::filesystem::path(path).filename().string()) != std::string::npos);
        CHECK((*vf)->pipeline().viewfinder.empty());
    }

    const ViewGeometry good = (*vf)->geometry();
    for (ViewGeometry bad : {ViewGeometry{.zoom = float(kNaN)}, ViewGeometry{.rotation = Rotation(45)},
                             ViewGeometry{.centerY = std::numeric_limits<float>::infinity()}}) {
        auto r = (*vf)->setGeometry(bad);
        REQUIRE_FALSE(r);
        INFO(r.error().describe());
        CHECK(r.error().code == ErrorCode::InvalidArgument);
        CHECK((*vf)->geometry() == good);
    }

    for (const std::string& path : {std::string(), dir}) {
        auto r = (*vf)->snapshot(path, 5s);
        REQUIRE_FALSE(r);
        INFO(r.error().describe());
        CHECK(r.error().code == ErrorCode::InvalidArgument);
    }
    auto bad = (*vf)->startRecording({.path = dir, .resolution = RecordResolution::Fhd});
    REQUIRE_FALSE(bad);
    INFO(bad.error().describe());
    CHECK(bad.error().message.find("dir2.yaml") != std::string::npos);
    RecordOptions nanRate{.path = test::scratchPath("bad-input", "x.mp4").string(),
                          .resolution = RecordResolution::Fhd};
    nanRate.frameRate = kNaN;
    auto r = (*vf)->startRecording(nanRate);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);

    const ViewfinderStats s = (*vf)->stats();
    CHECK(s.frameErrors == 0);
    (*vf)->stop();
    REQUIRE_NO_VALIDATION_MESSAGES();
}
