// SPDX-License-Identifier: MIT
// Recording: files that ffprobe reads with the right size, codec and colour tags and that decode
// cleanly; fragments that survive kill -9 and a full disk; segments; the overload policies.
#include "record/encoder_select.hpp"
#include "record/record_support.hpp"
#include "record/recorder.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cmath>
#include <fstream>
#include <optional>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace rearview;
using record::Recorder;
namespace fs = std::filesystem;

namespace {

struct Expected {
    const char* space;
    const char* range;
    const char* primaries;
    const char* transfer;
};

std::unique_ptr<Recorder> makeRecorder(const RecordOptions& o, ColorSpace cs = {}) {
    const RecordSize size = sizeOf(o.resolution);
    auto r = Recorder::create(o, size.width, size.height, cs);
    if (!r)
        FAIL(r.error().describe());
    return std::move(*r);
}

void checkFile(const fs::path& file, uint32_t width, uint32_t height, const char* codec, const Expected& colour,
               uint64_t frames) {
    const test::ProbeResult p = test::probe(file);
    INFO(p.json);
    REQUIRE(p.ok);
    CHECK(p.codec == codec);
    CHECK(p.width == int(width));
    CHECK(p.height == int(height));
    CHECK(p.colorSpace == colour.space);
    CHECK(p.colorRange == colour.range);
    CHECK(p.colorPrimaries == colour.primaries);
    CHECK(p.colorTransfer == colour.transfer);
    CHECK(p.frames == long(frames));
    const test::CommandResult d = test::decodeAll(file);
    INFO(d.output);
    CHECK(d.status == 0);
    CHECK(d.output.empty());
}

bool hasFragment(const fs::path& file) {
    std::error_code ec;
    std::string bytes(size_t(fs::file_size(file, ec)), '\0');
    if (ec)
        return false;
    std::ifstream in(file, std::ios::binary);
    in.read(bytes.data(), std::streamsize(bytes.size()));
    bytes.resize(size_t(in.gcount()));
    return bytes.find("moof") != std::string::npos;
}

} // namespace

TEST_CASE("3 s of 4K HEVC: ffprobe reads its size, codec, BT.709 limited tags and every frame", "[record]") {
    const fs::path dir = test::outputDir("hevc-4k");
    RecordOptions o;
    o.path = (dir / "clip.mp4").string();
    o.resolution = RecordResolution::Uhd4K;
    o.codec = RecordCodec::Hevc;
    auto rec = makeRecorder(o, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    test::submitPaced(*rec, 90, 30.0);
    REQUIRE(rec->stop());
    const RecordStats s = rec->stats();
    INFO("encoder " << s.encoder << " (" << s.encoderReason << "), " << s.encodeFps << " fps");
    CHECK(s.encoder == "libx265");
    CHECK_FALSE(s.hardware);
    CHECK(s.framesSubmitted == 90);
    CHECK(s.framesEncoded == 90);
    CHECK(s.framesDropped == 0);
    CHECK(s.error.empty());
    CHECK(std::abs(s.durationSeconds - 3.0) < 0.01);
    CHECK(s.bytesWritten == fs::file_size(o.path));
    REQUIRE(s.files.size() == 1);
    checkFile(o.path, 3840, 2160, "hevc", {"bt709", "tv", "bt709", "bt709"}, s.framesEncoded);
}

TEST_CASE("1080p H.264: BT.601 full-range tags, every frame decodes", "[record]") {
    const fs::path dir = test::outputDir("h264-1080p");
    RecordOptions o;
    o.path = (dir / "clip.mp4").string();
    o.resolution = RecordResolution::Fhd;
    o.codec = RecordCodec::H264;
    o.bitrate = 8'000'000;
    auto rec = makeRecorder(o, {YcbcrMatrix::Bt601, YcbcrRange::Full});
    test::submitPaced(*rec, 60, 30.0);
    REQUIRE(rec->stop());
    const RecordStats s = rec->stats();
    INFO("encoder " << s.encoder << " (" << s.encoderReason << "), " << s.encodeFps << " fps");
    CHECK(s.encoder == "libx264");
    CHECK(s.framesEncoded == 60);
    checkFile(o.path, 1920, 1080, "h264", {"smpte170m", "pc", "smpte170m", "smpte170m"}, s.framesEncoded);
}

TEST_CASE("A recording killed with SIGKILL leaves a file that plays up to its last fragment", "[record]") {
    const fs::path dir = test::outputDir("killed");
    const fs::path file = dir / "clip.mp4";
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::execl(REARVIEW_RECORD_HELPER, REARVIEW_RECORD_HELPER, file.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    bool fragment = false;
    for (int i = 0; i < 400 && !fragment; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid)
            FAIL("the recording helper exited early with status " << status);
        fragment = fs::exists(file) && hasFragment(file);
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(fragment);
    CHECK(WIFSIGNALED(status));
    const test::ProbeResult p = test::probe(file);
    INFO(p.json);
    CHECK(p.ok);
    CHECK(p.codec == "h264");
    CHECK(p.frames >= 1);
}

TEST_CASE("A full disk stops the recording with its error; what was written still plays", "[record]") {
    const fs::path dir = test::outputDir("disk-full");
    const fs::path file = dir / "clip.mp4";
    std::optional<test::SmallDisk> disk(std::in_place, dir, 3u << 20);
    WARN("disk full simulated with " << disk->how());

    RecordOptions o;
    o.path = file.string();
    o.resolution = RecordResolution::Fhd;
    o.codec = RecordCodec::H264;
    o.bitrate = 16'000'000;
    o.fragmentSeconds = 0.5;
    auto rec = makeRecorder(o);
    std::atomic<int> callbacks{0};
    std::string callbackMessage;
    rec->onStopped([&](const Error& e) {
        callbackMessage = e.message;
        ++callbacks;
    });
    test::submitPaced(*rec, 600, 30.0, 0, /*noise*/ true);
    const RecordStats s = rec->stats();
    INFO("error: " << s.error);
    CHECK_FALSE(s.recording);
    CHECK_FALSE(rec->recording());
    REQUIRE_FALSE(s.error.empty());
    CHECK(s.error.find(file.string()) != std::string::npos);
    CHECK((s.error.find("No space left") != std::string::npos || s.error.find("too large") != std::string::npos));
    CHECK(callbacks == 1);
    CHECK(callbackMessage == s.error);
    CHECK(rec->error().has_value());

    // Submitting after the failure returns at once.
    const auto t0 = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < 20; ++i) {
        auto f = record::RecordFrame::allocate(1920, 1080);
        f.timestampNs = test::frameTimeNs(1000 + i, 30.0);
        CHECK_FALSE(rec->submit(std::move(f)));
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ms < 200); // 20 × 3 MB allocations included
    auto stopped = rec->stop();
    CHECK_FALSE(stopped);
    const RecordStats after = rec->stats();
    CHECK(after.framesSubmitted == after.framesEncoded + after.framesDropped + after.framesDiscarded);
    CHECK(after.framesDiscarded >= 20);

    const bool mounted = disk->mounted();
    if (!mounted)
        disk.reset(); // probing needs no limit
    CHECK(fs::file_size(file) == after.bytesWritten);
    const test::ProbeResult p = test::probe(file);
    INFO(p.json);
    CHECK(p.ok);
    CHECK(p.frames >= 1);
    CHECK(p.frames <= long(after.framesEncoded));
    const test::CommandResult d = test::decodeAll(file);
    INFO(d.output);
    CHECK(d.output.empty());
}

TEST_CASE("1 s segments: each plays, starts on a keyframe and continues the previous one's timestamps", "[record]") {
    const fs::path dir = test::outputDir("segments");
    RecordOptions o;
    o.path = (dir / "clip.mp4").string();
    o.resolution = RecordResolution::Fhd;
    o.codec = RecordCodec::Hevc;
    o.segmentSeconds = 1.0;
    auto rec = makeRecorder(o, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    test::submitPaced(*rec, 90, 30.0);
    REQUIRE(rec->stop());
    const RecordStats s = rec->stats();
    REQUIRE(s.files.size() == 3);
    CHECK(fs::path(s.files[0]).filename() == "clip-000.mp4");
    CHECK(fs::path(s.files[2]).filename() == "clip-002.mp4");
    CHECK(s.framesEncoded == 90);
    const double frame = 1.0 / 30.0;
    double previousEnd = -1;
    for (const std::string& f : s.files) {
        checkFile(f, 1920, 1080, "hevc", {"bt709", "tv", "bt709", "bt709"}, 30);
        const auto packets = test::packetTimes(f);
        REQUIRE(packets.size() == 30);
        const double start = packets.front().pts;
        const double end = packets.back().pts + packets.back().duration;
        INFO(f << ": " << start << " .. " << end);
        if (previousEnd >= 0) {
            CHECK(start >= previousEnd - 1e-3);         // no overlap
            CHECK(start - previousEnd < frame + 1e-3);  // no gap beyond a frame
        }
        previousEnd = end;
    }
    CHECK(std::abs(previousEnd - 3.0) < 1e-3);
}

TEST_CASE("create() refuses unwritable paths, unknown encoders and mismatched sizes with clear errors", "[record]") {
    RecordOptions o;
    o.resolution = RecordResolution::Fhd;
    o.path = "/nonexistent-rearview-dir/clip.mp4";
    auto r = Recorder::create(o, 1920, 1080, {});
    REQUIRE_FALSE(r);
    INFO(r.error().describe());
    CHECK(r.error().code == ErrorCode::NotFound);
    CHECK(r.error().message.find("/nonexistent-rearview-dir") != std::string::npos);

    o.path = "/proc/rearview-clip.mp4";
    r = Recorder::create(o, 1920, 1080, {});
    REQUIRE_FALSE(r);
    INFO(r.error().describe());
    CHECK(r.error().message.find("/proc/rearview-clip.mp4") != std::string::npos);

    const fs::path dir = test::outputDir("create-errors");
    o.path = (dir / "clip.mp4").string();
    o.encoder = "hevc_doesnotexist";
    r = Recorder::create(o, 1920, 1080, {});
    REQUIRE_FALSE(r);
    INFO(r.error().describe());
    CHECK(r.error().code == ErrorCode::NotFound);
    CHECK(r.error().message.find("hevc_doesnotexist") != std::string::npos);
    CHECK_FALSE(fs::exists(o.path));

    o.encoder = "libx265";
    r = Recorder::create(o, 3840, 2160, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().message.find("3840x2160") != std::string::npos);

    if (!fs::exists("/dev/dri")) {
        o.encoder = "hevc_vaapi";
        r = Recorder::create(o, 1920, 1080, {});
        REQUIRE_FALSE(r);
        INFO(r.error().describe());
        CHECK(r.error().code == ErrorCode::Unsupported);
        CHECK(r.error().message.find("hevc_vaapi") != std::string::npos);
    }
}

TEST_CASE("Automatic choice tries hardware encoders first and says why each was skipped", "[record]") {
    const auto hevc = record::encoderCandidates(RecordCodec::Hevc, true);
    REQUIRE(hevc.size() == 6);
    CHECK(hevc.front() == "hevc_vulkan");
    CHECK(hevc[4] == "libx265");
    CHECK(hevc.back() == "libx264");
    CHECK(record::encoderCandidates(RecordCodec::H264, true).back() == "libx264");

    const fs::path dir = test::outputDir("auto-choice");
    RecordOptions o;
    o.path = (dir / "clip.mp4").string();
    o.resolution = RecordResolution::Fhd;
    auto rec = makeRecorder(o);
    const RecordStats s = rec->stats();
    INFO(s.encoder << ": " << s.encoderReason);
    CHECK(!s.encoder.empty());
    if (!s.hardware) {
        CHECK(s.encoder == "libx265");
        CHECK(s.encoderReason.find("hevc_vaapi") != std::string::npos);
    }
    REQUIRE(rec->stop());
}

TEST_CASE("Overload with a slow encoder: DropOldest and HalveRate count every dropped frame", "[record]") {
    for (const OverloadPolicy policy : {OverloadPolicy::DropOldest, OverloadPolicy::HalveRate}) {
        const fs::path dir = test::outputDir(std::string("overload-") + std::string(toString(policy)));
        RecordOptions o;
        o.path = (dir / "clip.mp4").string();
        o.resolution = RecordResolution::Fhd;
        o.codec = RecordCodec::Hevc;
        o.threads = 1;
        o.queueCapacity = 4;
        o.overload = policy;
        auto rec = makeRecorder(o);
        uint32_t refused = 0, noBuffer = 0;
        const uint32_t count = 80;
        for (uint32_t i = 0; i < count; ++i) {
            auto f = rec->acquireFrame();
            if (!f) {
                ++noBuffer;
                continue;
            }
            test::fillGradient(*f, i);
            f->timestampNs = test::frameTimeNs(i, 30.0);
            if (!rec->submit(std::move(*f)))
                ++refused;
            std::this_thread::sleep_for(std::chrono::milliseconds(3));
        }
        const RecordStats during = rec->stats();
        REQUIRE(rec->stop());
        const RecordStats s = rec->stats();
        INFO(toString(policy) << ": submitted " << s.framesSubmitted << ", encoded " << s.framesEncoded << ", dropped "
                              << s.framesDropped << ", refused " << refused << ", no buffer " << noBuffer
                              << ", max depth " << s.queueDepthMax << ", encoder " << s.encodeFps << " fps");
        CHECK(s.framesSubmitted == count);
        CHECK(s.framesDropped > 0);
        CHECK(s.framesSubmitted == s.framesEncoded + s.framesDropped);
        CHECK(s.framesDiscarded == 0);
        CHECK(s.queueDepthMax <= o.queueCapacity);
        CHECK_FALSE(s.keepsUp);
        CHECK(during.recording);
        if (policy == OverloadPolicy::DropOldest) {
            CHECK(refused == 0); // every frame is queued; older ones make room
        } else {
            CHECK(refused > 0); // the accepted rate was lowered
            CHECK(refused <= s.framesDropped);
        }
        const test::ProbeResult p = test::probe(o.path);
        CHECK(p.frames == long(s.framesEncoded));
    }
}

TEST_CASE("The frame pool is bounded and reuses its buffers", "[record]") {
    record::FramePool pool(64, 32, 2);
    auto a = pool.acquire();
    auto b = pool.acquire();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->valid());
    CHECK(a->yStride >= 64);
    CHECK(a->uvOffset == size_t(a->yStride) * 32);
    CHECK_FALSE(pool.acquire());
    uint8_t* data = a->storage.data();
    a.reset();
    auto c = pool.acquire();
    REQUIRE(c);
    CHECK(c->storage.data() == data);
    CHECK(pool.allocated() == 2);
}
