// SPDX-License-Identifier: MIT
// A camera app's view of the viewfinder: pipelines built in code and changed one parameter at
// a time, the frame tap that hands it the finished panel images, and frames it pushes itself.
#include "cpu/crop_scale.hpp"
#include "cpu/lut3d.hpp"
#include "support/gpu_fixture.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/cube_lut.hpp>
#include <rearview/viewfinder.hpp>

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

/// The astronaut still, shown for the whole test: every panel image is the same until the
/// pipeline changes.
ViewfinderOptions stillHeadless() {
    ViewfinderOptions o = test::headlessViewfinder(
        {.kind = SourceKind::Stills, .size = {2040, 1530}, .frameRate = 30, .stillsPath = REARVIEW_ASSETS_DIR "/astronaut.png", .stillSeconds = 3600});
    o.hud = false;
    return o;
}

/// A LUT made in code: each channel inverted, with a tint so that no channel maps to itself.
std::shared_ptr<CubeLut> invertingLut() {
    auto lut = std::make_shared<CubeLut>(CubeLut::identity(9));
    for (float& v : lut->rgb)
        v = 1.0f - v;
    return lut;
}

/// The tap's latest image, and a wait for one from a frame after a given sequence.
class Collector {
public:
    FrameTapOptions options(bool withHud = false) {
        return {.callback = [this](const PanelImage& p) { take(p); }, .withHud = withHud};
    }
    void take(const PanelImage& p) {
        RgbaImage img(p.width, p.height);
        for (uint32_t y = 0; y < p.height; ++y)
            std::memcpy(img.row(y), p.pixels + size_t(y) * p.stride, size_t(p.width) * 4);
        std::lock_guard lock(mutex_);
        latest_ = std::move(img);
        ++images_;
        hud_ = p.hud;
        ordered_ = ordered_ && p.sequence >= lastSequence_ && p.readyNs >= p.sensorTimestampNs;
        lastSequence_ = p.sequence;
        changed_.notify_all();
    }
    /// The `images`-th image delivered from now on: past the frames already on their way when
    /// something changed (in flight on the GPU, one waiting and one in the callback).
    RgbaImage next(uint64_t images = 5) {
        std::unique_lock lock(mutex_);
        const uint64_t until = images_ + images;
        if (!changed_.wait_for(lock, 10s, [&] { return images_ >= until; }))
            FAIL("no tapped frame within 10 s");
        return latest_;
    }
    /// The newest image delivered so far (waiting for a first one).
    RgbaImage latest() {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, 10s, [&] { return images_ > 0; }))
            FAIL("no tapped frame within 10 s");
        return latest_;
    }
    uint64_t images() const { std::lock_guard lock(mutex_); return images_; }
    bool hud() const { std::lock_guard lock(mutex_); return hud_; }
    bool ordered() const { std::lock_guard lock(mutex_); return ordered_; }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    RgbaImage latest_;
    uint64_t images_ = 0, lastSequence_ = 0;
    bool hud_ = false, ordered_ = true;
};

/// The largest difference of any channel between two images of one size.
int maxDifference(const RgbaImage& a, const RgbaImage& b) {
    REQUIRE(a.width == b.width);
    REQUIRE(a.height == b.height);
    int worst = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        worst = std::max(worst, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    return worst;
}

} // namespace

TEST_CASE("A pipeline built in code runs, one parameter changes at a time, and the tap sees each result",
          "[viewfinder]") {
    const auto lut = invertingLut();
    ViewfinderOptions o = stillHeadless();
    o.pipeline.source = "app look";
    o.pipeline.viewfinder = {LutParams{.strength = 0.0f, .cube = lut}};
    auto vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;
    Collector tap;
    REQUIRE(v.setFrameTap(tap.options()));
    REQUIRE(v.start());

    // Strength 0 is the crop/scale image itself.
    const RgbaImage plain = tap.next();
    REQUIRE(plain.width == 904);
    REQUIRE(plain.height == 572);
    CHECK_FALSE(tap.hud());

    // The LUT at full strength, from a slider: against the CPU reference (at most one code
    // value, as the LUT stage's own tests allow).
    REQUIRE(v.setStageParams(PipelineList::Viewfinder, 0, LutParams{.strength = 1.0f, .cube = lut}));
    RgbaImage expected;
    cpu::Lut3d(plain, *lut, LutInterpolation::Tetrahedral, 1.0f, expected);
    const RgbaImage full = tap.next();
    CHECK(maxDifference(full, expected) <= 1);
    CHECK(maxDifference(full, plain) > 100);

    // Half strength, trilinear.
    REQUIRE(v.setStageParams(PipelineList::Viewfinder, 0,
                             LutParams{.interpolation = LutInterpolation::Trilinear, .strength = 0.5f, .cube = lut}));
    cpu::Lut3d(plain, *lut, LutInterpolation::Trilinear, 0.5f, expected);
    CHECK(maxDifference(tap.next(), expected) <= 1);

    // A wrong kind, a wrong place or a bad value changes nothing and says why.
    auto wrongKind = v.setStageParams(PipelineList::Viewfinder, 0, VignetteParams{});
    REQUIRE_FALSE(wrongKind);
    CHECK(wrongKind.error().message.find("viewfinder stage 0 is lut, not vignette") != std::string::npos);
    auto past = v.setStageParams(PipelineList::Record, 0, VignetteParams{});
    REQUIRE_FALSE(past);
    CHECK(past.error().message.find("the record list has 0 stages") != std::string::npos);
    auto bad = v.setStageParams(PipelineList::Viewfinder, 0, LutParams{.strength = 3.0f, .cube = lut});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("strength = 3") != std::string::npos);
    const Pipeline current = v.pipeline();
    const auto& kept = std::get<LutParams>(current.viewfinder.at(0));
    CHECK(kept.strength == 0.5f);
    CHECK(v.pipeline().source == "app look");

    // A whole pipeline from code, and back to none.
    Pipeline none;
    REQUIRE(v.setPipeline(none));
    CHECK(maxDifference(tap.next(), plain) == 0);
    const ViewfinderStats s = v.stats();
    CHECK(s.tap.delivered >= 4);
    CHECK(s.frameErrors == 0);
    CHECK(tap.ordered());
    v.stop();
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The frame tap: the HUD by choice, newest first when the app is slow, removal waits for the callback",
          "[viewfinder]") {
    ViewfinderOptions o = stillHeadless();
    o.hud = true;
    auto vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;
    REQUIRE(v.start());

    Collector plainTap, hudTap;
    REQUIRE(v.setFrameTap(plainTap.options(false)));
    const RgbaImage plain = plainTap.next();
    REQUIRE(v.setFrameTap(hudTap.options(true)));
    const RgbaImage shown = hudTap.next();
    CHECK(hudTap.hud());
    // The HUD is drawn in the top-left corner and nowhere else.
    int topLeft = 0, elsewhere = 0;
    for (uint32_t y = 0; y < plain.height; ++y)
        for (uint32_t x = 0; x < plain.width; ++x) {
            const bool differs = std::memcmp(plain.row(y) + x * 4, shown.row(y) + x * 4, 4) != 0;
            (x < plain.width / 2 && y < plain.height / 2 ? topLeft : elsewhere) += differs;
        }
    CHECK(topLeft > 1000);
    CHECK(elsewhere == 0);

    // A callback slower than the frames (30 fps): it gets the newest image each time, the
    // others are counted as replaced, and the panel goes on processing every frame.
    std::atomic<int> inside{0};
    std::atomic<uint64_t> calls{0};
    const uint64_t processedBefore = v.stats().framesProcessed;
    REQUIRE(v.setFrameTap({.callback = [&](const PanelImage&) {
        ++inside;
        std::this_thread::sleep_for(150ms);
        ++calls;
        --inside;
    }}));
    std::this_thread::sleep_for(2s);
    // From inside the callback the tap cannot be changed (it would wait for itself).
    std::atomic<bool> refused{false};
    REQUIRE(v.setFrameTap({.callback = [&](const PanelImage&) {
        auto r = v.setFrameTap({});
        refused = !r && r.error().code == ErrorCode::Internal;
    }}));
    std::this_thread::sleep_for(300ms);
    CHECK(refused);
    const ViewfinderStats slow = v.stats();
    INFO("delivered " << slow.tap.delivered << ", replaced " << slow.tap.replaced << ", skipped " << slow.tap.skipped
                      << ", callback p50 " << slow.tap.callbackMs.p50 << " ms");
    CHECK(calls >= 5);                 // about 2 s / 150 ms, more on a loaded machine whose sleeps overrun
    CHECK(slow.tap.replaced >= 20);    // the rest of the 30 fps were replaced by newer images
    CHECK(slow.tap.callbackMs.p99 >= 140);
    CHECK(slow.framesProcessed - processedBefore >= 40); // 2.3 s at 30 fps, with room for a loaded machine

    // Removing the tap returns only after a callback in progress has returned.
    REQUIRE(v.setFrameTap({.callback = [&](const PanelImage&) {
        ++inside;
        std::this_thread::sleep_for(200ms);
        --inside;
    }}));
    std::this_thread::sleep_for(300ms);
    REQUIRE(v.setFrameTap({}));
    CHECK(inside == 0);
    const uint64_t delivered = v.stats().tap.delivered;
    std::this_thread::sleep_for(300ms);
    CHECK(v.stats().tap.delivered == delivered);
    v.stop();
    REQUIRE_NO_VALIDATION_MESSAGES();
}

namespace {

/// Host memory for one NV12 frame of a fixed pattern, page-aligned (so the GPU imports it)
/// or `misalign` bytes past a page boundary (so it cannot).
struct HostFrame {
    static constexpr uint32_t kWidth = 640, kHeight = 480, kStride = 640;
    size_t size = size_t(kStride) * kHeight * 3 / 2;
    std::unique_ptr<uint8_t, decltype(&std::free)> block{nullptr, &std::free};
    uint8_t* data = nullptr;

    explicit HostFrame(size_t misalign = 0) {
        const size_t page = 4096, bytes = (size + misalign + page - 1) / page * page;
        block.reset(static_cast<uint8_t*>(std::aligned_alloc(page, bytes)));
        data = block.get() + misalign;
        if (misalign == 0)
            size = bytes; // whole pages, as host-pointer import wants
        for (uint32_t y = 0; y < kHeight; ++y)
            for (uint32_t x = 0; x < kWidth; ++x)
                data[size_t(y) * kStride + x] = uint8_t((x + 2 * y) & 0xFF);
        for (size_t i = size_t(kStride) * kHeight; i < size_t(kStride) * kHeight * 3 / 2; ++i)
            data[i] = uint8_t(96 + (i % 64));
    }
    AppFrame frame(std::atomic<int>& releases) const {
        return {.width = kWidth, .height = kHeight, .stride = kStride, .uvOffset = size_t(kStride) * kHeight,
                .data = data, .size = size, .release = [&releases] { ++releases; }};
    }
    Nv12View view() const {
        return {data, data + size_t(kStride) * kHeight, kWidth, kHeight, kStride, kStride, {}};
    }
};

ViewfinderOptions appHeadless() {
    ViewfinderOptions o = test::headlessViewfinder({.kind = SourceKind::App, .size = {HostFrame::kWidth, HostFrame::kHeight}});
    o.hud = false;
    return o;
}

} // namespace

TEST_CASE("App frames in host memory: imported where they lie, copied once when they cannot be, each released once",
          "[viewfinder]") {
    const HostFrame aligned, misaligned(64);
    std::atomic<int> releases{0};
    auto vf = Viewfinder::create(test::gpu(), appHeadless());
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;
    Collector tap;
    REQUIRE(v.setFrameTap(tap.options()));

    // Before start() nobody takes them: four wait, each newer one replaces the oldest.
    for (int i = 0; i < 10; ++i)
        REQUIRE(v.pushFrame(aligned.frame(releases)));
    CHECK(releases == 6);
    CHECK(v.stats().appFramesDropped == 6);
    REQUIRE(v.start());

    auto pushFor = [&](const HostFrame& f, std::chrono::milliseconds howLong) {
        const auto until = std::chrono::steady_clock::now() + howLong;
        while (std::chrono::steady_clock::now() < until) {
            REQUIRE(v.pushFrame(f.frame(releases)));
            std::this_thread::sleep_for(33ms);
        }
    };
    pushFor(aligned, 700ms);
    const RgbaImage panel = tap.latest();
    CHECK(tap.images() >= 5);
    const ViewfinderStats zeroCopy = v.stats();
    CHECK(zeroCopy.importPath == "host-pointer import");
    CHECK(zeroCopy.bytesCopied == 0);
    auto plan = planCrop(HostFrame::kWidth, HostFrame::kHeight, 904, 572, ViewGeometry{});
    REQUIRE(plan);
    RgbaImage expected;
    cpu::CropScale(aligned.view(), *plan, expected);
    CHECK(maxDifference(panel, expected) <= 4); // crop/scale's tolerance against its reference

    pushFor(misaligned, 700ms);
    const ViewfinderStats copied = v.stats();
    CHECK(copied.importPath == "staging copy");
    CHECK(copied.bytesCopied >= size_t(HostFrame::kStride) * HostFrame::kHeight * 3 / 2);
    v.stop();
    const uint64_t pushed = v.stats().appFramesPushed;
    vf->reset();
    CHECK(uint64_t(releases) == pushed); // every frame, dropped, shown or still queued, exactly once
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("pushFrame refuses what does not fit, naming it, and still releases the frame once", "[viewfinder]") {
    ViewfinderOptions noSize = test::headlessViewfinder({.kind = SourceKind::App});
    auto none = Viewfinder::create(test::gpu(), noSize);
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("needs its frame size") != std::string::npos);

    const HostFrame f;
    std::atomic<int> releases{0};
    auto vf = Viewfinder::create(test::gpu(), appHeadless());
    if (!vf)
        FAIL(vf.error().describe());
    struct Case {
        const char* says;
        std::function<void(AppFrame&)> spoil;
    };
    const Case cases[] = {
        {"this source takes 640x480", [](AppFrame& a) { a.width = 320; }},
        {"stride 642 must be at least the width 640 and a multiple of 4", [](AppFrame& a) { a.stride = 642; }},
        {"uvOffset 1000 must be at least", [](AppFrame& a) { a.uvOffset = 1000; }},
        {"is smaller than its layout", [](AppFrame& a) { a.size = 1000; }},
        {"either a dma-buf fd", [](AppFrame& a) { a.data = nullptr; }},
        {"either a dma-buf fd", [](AppFrame& a) { a.fd = 0; }},
    };
    int expectedReleases = 0;
    for (const Case& c : cases) {
        AppFrame a = f.frame(releases);
        c.spoil(a);
        auto r = (*vf)->pushFrame(std::move(a));
        INFO(c.says);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidArgument);
        CHECK(r.error().message.find(c.says) != std::string::npos);
        CHECK(releases == ++expectedReleases);
    }
    auto synthetic = Viewfinder::create(test::gpu(), test::syntheticHeadless());
    REQUIRE(synthetic);
    auto wrong = (*synthetic)->pushFrame(f.frame(releases));
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().message.find("not SourceKind::App") != std::string::npos);
    CHECK(releases == ++expectedReleases);
    CHECK((*vf)->stats().appFramesPushed == 0);
}
