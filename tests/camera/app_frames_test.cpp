// SPDX-License-Identifier: MIT
// App frames in: the test is the camera app. It runs its own libcamera CameraManager on the
// virtual camera, pushes every completed request's buffer into a SourceKind::App viewfinder
// and requeues it when the viewfinder releases it; the frame tap's panel images must be the
// CPU reference's crop/scale of exactly the frames pushed, read where libcamera put them.
#include "capture/libcamera_support.hpp"
#include "cpu/crop_scale.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/viewfinder.hpp>

#include <libcamera/libcamera.h>

#include <catch2/catch_test_macros.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

constexpr uint32_t kWidth = 2040, kHeight = 1530;

/// One libcamera buffer as the app sees it: its fd, layout and a CPU mapping.
struct AppBuffer {
    libcamera::FrameBuffer* buffer = nullptr;
    libcamera::Request* request = nullptr;
    int fd = -1;
    size_t size = 0, uvOffset = 0;
    uint32_t stride = 0;
    const uint8_t* mapped = nullptr;
};

} // namespace

TEST_CASE("An app's own libcamera frames through pushFrame: zero-copy, each released once, panel images as the "
          "reference's",
          "[gpu]") {
    auto cm = std::make_unique<libcamera::CameraManager>();
    REQUIRE(cm->start() == 0);
    REQUIRE_FALSE(cm->cameras().empty());
    std::shared_ptr<libcamera::Camera> camera = cm->cameras().front();
    REQUIRE(camera->acquire() == 0);
    auto config = camera->generateConfiguration({libcamera::StreamRole::Viewfinder});
    REQUIRE(config);
    libcamera::StreamConfiguration& sc = config->at(0);
    sc.pixelFormat = libcamera::formats::NV12;
    sc.size = {kWidth, kHeight};
    sc.bufferCount = 4;
    REQUIRE(config->validate() != libcamera::CameraConfiguration::Invalid);
    REQUIRE(sc.size == libcamera::Size(kWidth, kHeight));
    REQUIRE(camera->configure(config.get()) == 0);
    libcamera::Stream* stream = sc.stream();

    // The app's own buffers: memfds (these machines have no dma-buf heap), both planes in one,
    // page-rounded, as libcamera's applications allocate them without a heap.
    std::vector<std::unique_ptr<libcamera::FrameBuffer>> frameBuffers;
    std::vector<std::unique_ptr<libcamera::Request>> requests;
    std::map<const libcamera::Request*, AppBuffer> buffers;
    for (unsigned i = 0; i < sc.bufferCount; ++i) {
        AppBuffer b;
        b.stride = sc.stride;
        b.uvOffset = size_t(sc.stride) * kHeight;
        b.size = (b.uvOffset + size_t(b.stride) * kHeight / 2 + 4095) / 4096 * 4096;
        b.fd = ::memfd_create("app-frame", MFD_CLOEXEC);
        REQUIRE(b.fd >= 0);
        REQUIRE(::ftruncate(b.fd, off_t(b.size)) == 0);
        frameBuffers.push_back(capture::nv12FrameBuffer(b.fd, b.uvOffset, size_t(b.stride) * kHeight / 2));
        auto request = camera->createRequest(i);
        REQUIRE(request);
        REQUIRE(request->addBuffer(stream, frameBuffers.back().get()) == 0);
        void* p = ::mmap(nullptr, b.size, PROT_READ, MAP_SHARED, b.fd, 0);
        REQUIRE(p != MAP_FAILED);
        b.mapped = static_cast<const uint8_t*>(p);
        b.buffer = frameBuffers.back().get();
        b.request = request.get();
        buffers[request.get()] = b;
        requests.push_back(std::move(request));
    }

    ViewfinderOptions o = test::headlessViewfinder({.kind = SourceKind::App, .size = {kWidth, kHeight}});
    o.hud = false;
    auto vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;

    // What the app pushed, by the viewfinder's sequence (push order), kept for the check.
    std::mutex m;
    std::map<uint64_t, Nv12Image> pushed;
    std::deque<libcamera::Request*> toRequeue;
    std::atomic<uint64_t> releases{0}, pushFailures{0};
    uint64_t sequence = 0;
    std::vector<std::pair<uint64_t, RgbaImage>> tapped;
    REQUIRE(v.setFrameTap({.callback = [&](const PanelImage& p) {
        RgbaImage img(p.width, p.height);
        std::memcpy(img.pixels.data(), p.pixels, img.pixels.size());
        std::lock_guard lock(m);
        if (tapped.size() < 8)
            tapped.emplace_back(p.sequence, std::move(img));
    }}));
    camera->requestCompleted.connect(camera.get(), [&](libcamera::Request* request) {
        if (request->status() != libcamera::Request::RequestComplete)
            return;
        const AppBuffer& b = buffers.at(request);
        Nv12Image copy(kWidth, kHeight, b.stride);
        std::memcpy(copy.yPlane(), b.mapped, size_t(b.stride) * kHeight);
        std::memcpy(copy.uvPlane(), b.mapped + b.uvOffset, size_t(b.stride) * kHeight / 2);
        {
            std::lock_guard lock(m);
            pushed.emplace(sequence++, std::move(copy));
            while (pushed.size() > 64)
                pushed.erase(pushed.begin());
        }
        const auto ts = request->metadata().get(libcamera::controls::SensorTimestamp);
        auto r = v.pushFrame({.width = kWidth, .height = kHeight, .stride = b.stride, .uvOffset = b.uvOffset,
                              .fd = b.fd, .size = b.size, .bufferId = uint64_t(request->cookie()) + 1,
                              .timestampNs = ts ? uint64_t(*ts) : 0, .release = [&, request] {
                                  ++releases;
                                  std::lock_guard lock(m);
                                  toRequeue.push_back(request);
                              }});
        if (!r)
            ++pushFailures;
    });

    REQUIRE(v.start());
    REQUIRE(camera->start() == 0);
    for (auto& request : requests)
        REQUIRE(camera->queueRequest(request.get()) == 0);
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
        std::deque<libcamera::Request*> requeue;
        {
            std::lock_guard lock(m);
            requeue.swap(toRequeue);
        }
        for (libcamera::Request* request : requeue) {
            request->reuse(libcamera::Request::ReuseBuffers);
            CHECK(camera->queueRequest(request) == 0);
        }
        std::this_thread::sleep_for(2ms);
    }
    camera->stop();
    v.stop();
    const ViewfinderStats s = v.stats();
    vf->reset(); // every frame the viewfinder held is released now
    INFO("pushed " << s.appFramesPushed << ", dropped " << s.appFramesDropped << ", processed " << s.framesProcessed
                   << ", import " << s.importPath << ", copied " << s.bytesCopied << ", releases " << releases);
    CHECK(pushFailures == 0);
    CHECK(s.appFramesPushed >= 20);
    CHECK(s.framesProcessed >= 10);
    CHECK(releases == s.appFramesPushed); // each exactly once
    CHECK(s.camera == "app");
    CHECK(s.frameWidth == kWidth);
    CHECK((s.importPath == "dma-buf import" || s.importPath == "host-pointer import"));
    CHECK(s.bytesCopied == 0);

    // The panel images are the reference's of the very frames pushed (crop/scale's tolerance).
    auto plan = planCrop(kWidth, kHeight, 904, 572, o.geometry);
    REQUIRE(plan);
    std::lock_guard lock(m);
    REQUIRE(tapped.size() >= 3);
    for (const auto& [seq, image] : tapped) {
        const auto it = pushed.find(seq);
        if (it == pushed.end())
            continue; // older than the kept copies
        RgbaImage expected;
        cpu::CropScale(it->second.view(), *plan, expected);
        const test::Difference d = test::compare(image, expected);
        INFO("frame " << seq << ": " << d.describe());
        CHECK(d.maxAbs <= 4);
    }
    for (const auto& [request, b] : buffers) {
        ::munmap(const_cast<uint8_t*>(b.mapped), b.size);
        ::close(b.fd);
    }
    camera->release();
    REQUIRE_NO_VALIDATION_MESSAGES();
}
