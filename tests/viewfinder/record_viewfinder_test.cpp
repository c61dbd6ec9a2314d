// SPDX-License-Identifier: MIT
// Recording in parallel with the viewfinder through the public API: the camera's frames go
// to the panel and, at the record rate, through the record branch to an MP4 that ffprobe and
// ffmpeg check.
#include "record/record_support.hpp"
#include "record/recorder.hpp"
#include "support/gpu_fixture.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/viewfinder.hpp>

#include <catch2/catch_test_macros.hpp>

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// The names ffprobe prints for a ColorSpace's tags (docs/recording.md, "Colour").
struct ProbeColour {
    std::string space, range;
};
ProbeColour probeNames(const ColorSpace& cs) {
    const char* space = cs.matrix == YcbcrMatrix::Bt709    ? "bt709"
                        : cs.matrix == YcbcrMatrix::Bt2020 ? "bt2020nc"
                                                           : "smpte170m";
    return {space, cs.range == YcbcrRange::Full ? "pc" : "tv"};
}

using test::headlessViewfinder;

/// A headless viewfinder on a 30 fps 2040x1530 synthetic source, not started.
std::unique_ptr<Viewfinder> synthetic2k() {
    auto vf = Viewfinder::create(test::gpu(), test::syntheticHeadless());
    if (!vf)
        FAIL(vf.error().describe());
    return std::move(*vf);
}

/// The virtual camera, or, when it cannot open here, a synthetic source big enough for 4K.
std::unique_ptr<Viewfinder> cameraOrSynthetic(ViewfinderOptions o) {
    o.source.kind = SourceKind::Camera;
    o.source.cameraId = "main";
    auto vf = Viewfinder::create(test::gpu(), o);
    if (vf)
        return std::move(*vf);
    std::cout << "NOTE: the virtual camera did not open (" << vf.error().describe()
              << "); recording from a 4080x3060 synthetic source instead\n";
    o.source.kind = SourceKind::Synthetic;
    o.source.size = {4080, 3060};
    o.source.frameRate = 10;
    vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    return std::move(*vf);
}

/// Mean and largest distance from 128 of the Cb and Cr samples of frame `index` of `file`.
struct ChromaFlatness {
    bool ok = false;
    double mean = 0;
    int maxDeviation = 0;
};
ChromaFlatness chromaOfFrame(const fs::path& file, int index, uint32_t width, uint32_t height) {
    const fs::path raw = file.parent_path() / "frame.yuv";
    const test::CommandResult r = test::runCommand(
        std::format("ffmpeg -nostdin -v error -y -i '{}' -vf 'select=eq(n\\,{})' -frames:v 1 -f rawvideo "
                    "-pix_fmt yuv420p '{}'",
                    file.string(), index, raw.string()));
    ChromaFlatness out;
    const size_t ySize = size_t(width) * height, cSize = ySize / 4;
    std::ifstream in(raw, std::ios::binary);
    std::vector<char> bytes(ySize + 2 * cSize);
    in.read(bytes.data(), std::streamsize(bytes.size()));
    if (r.status != 0 || size_t(in.gcount()) != bytes.size())
        return out;
    double sum = 0;
    for (size_t i = ySize; i < bytes.size(); ++i) {
        const int v = uint8_t(bytes[i]);
        sum += v;
        out.maxDeviation = std::max(out.maxDeviation, std::abs(v - 128));
    }
    out.mean = sum / double(2 * cSize);
    out.ok = true;
    return out;
}

} // namespace

TEST_CASE("Recording 4K HEVC from the camera while the viewfinder keeps presenting", "[record][viewfinder]") {
    ViewfinderOptions o = headlessViewfinder({});
    // Its record: list is the mono LUT alone, so the recorded chroma is flat at 128.
    o.pipelineFile = REARVIEW_PIPELINES_DIR "/mono-film.yaml";
    std::unique_ptr<Viewfinder> vf = cameraOrSynthetic(o);
    REQUIRE(vf->start());
    std::this_thread::sleep_for(1s);
    REQUIRE_FALSE(vf->recording());

    const fs::path dir = test::outputDir("viewfinder-4k");
    RecordOptions ro;
    ro.path = (dir / "clip.mp4").string();
    ro.resolution = RecordResolution::Uhd4K;
    ro.codec = RecordCodec::Hevc;
    ro.allowH264Fallback = false;
    ro.queueCapacity = 2; // what is queued at stop is encoded then: keep the test's stop short
    // This test checks the file. At background priority a 4K software encode gets almost no
    // CPU while other tests run beside it; the priority has its own test below.
    ro.priority = RecordPriority::Normal;
    const ViewfinderStats before = vf->stats();
    if (auto r = vf->startRecording(ro); !r)
        FAIL(r.error().describe());
    CHECK(vf->recording());
    const auto again = vf->startRecording(ro);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::InvalidArgument);

    std::this_thread::sleep_for(3s);
    const ViewfinderStats during = vf->stats();
    REQUIRE(during.recording);
    CHECK(during.recording->active);
    // The panel kept getting new frames (on lavapipe's one queue, fewer: see docs/recording.md).
    CHECK(during.presented > before.presented);
    CHECK(during.framesProcessed >= before.framesProcessed + 3);

    auto stopped = vf->stopRecording();
    if (!stopped)
        FAIL(stopped.error().describe());
    CHECK_FALSE(vf->recording());
    const ViewfinderStats s = vf->stats();
    vf->stop();
    REQUIRE(s.recording);
    const RecordingStats& rec = *s.recording;
    const RecordStats& e = *stopped;
    std::cout << std::format("{} {}x{} at {:.1f} fps: recorded {} of {} due ({} skipped, GPU busy), encoded {}, "
                             "dropped {}, {} bytes, {} ({}), encode {:.2f} fps, record GPU p50 {:.0f} ms, copy "
                             "p50 {:.1f} ms, viewfinder ready p50/p99 {:.0f}/{:.0f} ms, presented {}\n",
                             s.camera, s.frameWidth, s.frameHeight, s.captureFps, rec.framesRecorded,
                             rec.framesSelected, rec.framesSkipped, e.framesEncoded, e.framesDropped,
                             e.bytesWritten, e.encoder, e.hardware ? "hardware" : "software", e.encodeFps,
                             rec.gpuMs.p50, rec.copyMs.p50, s.sensorToReadyMs.p50, s.sensorToReadyMs.p99,
                             s.presented);
    CHECK(e.framesEncoded >= 2);
    CHECK(e.framesSubmitted == e.framesEncoded + e.framesDropped + e.framesDiscarded);
    CHECK(rec.framesRecorded >= e.framesSubmitted);
    // One copy per frame handed over: a whole 4K NV12 frame each.
    const uint64_t frameBytes = 3840ull * 2160 * 3 / 2;
    CHECK(rec.bytesCopied > 0);
    CHECK(rec.bytesCopied % frameBytes == 0);
    CHECK(rec.bytesCopied / frameBytes <= rec.framesRecorded);
    CHECK(rec.gpuMs.p50 > 0);
    CHECK_FALSE(rec.stoppedByItself);
    CHECK(s.frameErrors == 0);
    CHECK_FALSE(s.lastError);

    REQUIRE(e.files.size() == 1);
    const test::ProbeResult p = test::probe(e.files[0]);
    INFO(p.json);
    REQUIRE(p.ok);
    CHECK(p.codec == "hevc");
    CHECK(p.width == 3840);
    CHECK(p.height == 2160);
    const ProbeColour colour = probeNames(s.frameColorSpace);
    CHECK(p.colorSpace == colour.space);
    CHECK(p.colorRange == colour.range);
    CHECK(p.frames == long(e.framesEncoded));
    const test::CommandResult decoded = test::decodeAll(e.files[0]);
    INFO(decoded.output);
    CHECK(decoded.status == 0);
    CHECK(decoded.output.empty());

    // The record: stages ran: the mono LUT leaves no colour (the viewfinder's vignette and
    // grain are not in the record list; they would not change chroma either).
    const ChromaFlatness chroma = chromaOfFrame(e.files[0], int(e.framesEncoded / 2), 3840, 2160);
    REQUIRE(chroma.ok);
    INFO("chroma mean " << chroma.mean << ", max |C - 128| " << chroma.maxDeviation);
    CHECK(std::abs(chroma.mean - 128.0) < 1.0);
    CHECK(chroma.maxDeviation <= 3);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

namespace {

/// Scheduling of a thread: its policy and nice value.
struct Sched {
    int policy = 0;
    int nice = 0;
    bool operator==(const Sched&) const = default;
};

/// The scheduling of this process's threads whose name starts with `prefix`.
std::vector<Sched> schedOfThreads(std::string_view prefix) {
    std::vector<Sched> out;
    for (const fs::directory_entry& task : fs::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (!name.starts_with(prefix))
            continue;
        // Fields 19 (nice) and 41 (policy) of stat; the name (field 2) is in parentheses.
        std::ifstream statFile(task.path() / "stat");
        std::string stat;
        std::getline(statFile, stat);
        std::istringstream rest(stat.substr(stat.rfind(')') + 2));
        std::string field;
        Sched sched;
        for (int i = 3; i <= 41 && rest >> field; ++i)
            if (i == 19)
                sched.nice = std::stoi(field);
        sched.policy = std::stoi(field);
        out.push_back(sched);
    }
    return out;
}

} // namespace

TEST_CASE("A recording's threads run at its priority: above the panel's processing by default", "[record][viewfinder]") {
    const std::unique_ptr<Viewfinder> created = synthetic2k();
    Viewfinder& vf = *created;
    REQUIRE(vf.start());
    // The panel's processing (pipeline thread) runs at nice 10, below a protected recording.
    std::vector<Sched> pipeline = schedOfThreads("rv-pipeline");
    for (int i = 0; i < 100 && pipeline.empty(); ++i) { // the thread names itself once running
        std::this_thread::sleep_for(20ms);
        pipeline = schedOfThreads("rv-pipeline");
    }
    // The pipeline thread and the threads started from it (a driver's queue thread) share its name.
    REQUIRE_FALSE(pipeline.empty());
    CHECK(std::ranges::count(pipeline, Sched{SCHED_OTHER, 10}) == long(pipeline.size()));
    const size_t driverThreadsBefore = schedOfThreads("llvmpipe").size();
    const fs::path dir = test::outputDir("viewfinder-priority");
    for (const RecordPriority priority : {RecordPriority::Protected, RecordPriority::Normal, RecordPriority::Background}) {
        INFO("priority " << toString(priority));
        RecordOptions ro;
        ro.path = (dir / std::format("{}.mp4", toString(priority))).string();
        ro.resolution = RecordResolution::Fhd;
        ro.codec = RecordCodec::H264;
        ro.priority = priority;
        REQUIRE(vf.startRecording(ro));
        const Sched expected = priority == RecordPriority::Background ? Sched{SCHED_IDLE, 0}
                               : priority == RecordPriority::Protected ? Sched{SCHED_OTHER, 4}
                                                                       : Sched{SCHED_OTHER, 10};
        // The branch's thread and the threads started from it (they inherit its name unless
        // they set one), and the encoder's thread, once it has named itself.
        std::vector<Sched> encoder = schedOfThreads("rv-encode");
        for (int i = 0; i < 100 && encoder.empty(); ++i) {
            std::this_thread::sleep_for(20ms);
            encoder = schedOfThreads("rv-encode");
        }
        const std::vector<Sched> branch = schedOfThreads("rv-record");
        REQUIRE_FALSE(branch.empty());
        CHECK(std::ranges::count(branch, expected) == long(branch.size()));
        REQUIRE_FALSE(encoder.empty());
        CHECK(std::ranges::count(encoder, expected) == long(encoder.size()));
        // lavapipe: the companion device brings shader workers of its own, at the branch's
        // priority, while the viewfinder's keep theirs.
        if (driverThreadsBefore > 0) {
            const std::vector<Sched> driver = schedOfThreads("llvmpipe");
            CHECK(driver.size() > driverThreadsBefore);
            CHECK(std::ranges::count(driver, expected) >= 1);
        }
        std::this_thread::sleep_for(1s);
        auto stopped = vf.stopRecording();
        if (!stopped)
            FAIL(stopped.error().describe());
        // A background recording may get no CPU at all while other tests run beside this one.
        if (priority != RecordPriority::Background)
            CHECK(stopped->framesEncoded >= 1);
        CHECK(schedOfThreads("rv-record").empty());
    }
    vf.stop();
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("startRecording() measures what the device sustains and an automatic size takes the largest that does",
          "[record][viewfinder]") {
    const std::unique_ptr<Viewfinder> created = synthetic2k();
    Viewfinder& vf = *created;
    REQUIRE(vf.start());
    RecordOptions ro;
    ro.path = (test::outputDir("viewfinder-auto-size") / "clip.mp4").string();
    ro.resolution = RecordResolution::Auto;
    ro.codec = RecordCodec::H264;
    auto plan = vf.startRecording(ro);
    if (!plan)
        FAIL(plan.error().describe());
    INFO(plan->summary);
    // 2040x1530 frames allow 1080p only: it is chosen and measured, GPU and (when the GPU
    // keeps up) encoder.
    CHECK(plan->resolution == RecordResolution::Fhd);
    REQUIRE(plan->measured.size() == 1);
    const RecordCapacity& c = plan->measured[0];
    CHECK(c.resolution == RecordResolution::Fhd);
    CHECK(c.gpuFps > 0);
    CHECK(plan->sustained == c.sustains(30));
    CHECK(plan->summary.find("1080p") != std::string::npos);
    REQUIRE(vf.stats().recording);
    CHECK(vf.stats().recording->plan.resolution == RecordResolution::Fhd);
    std::this_thread::sleep_for(1s);
    auto stopped = vf.stopRecording();
    if (!stopped)
        FAIL(stopped.error().describe());
    REQUIRE(stopped->files.size() == 1);
    const test::ProbeResult p = test::probe(stopped->files[0]);
    REQUIRE(p.ok);
    CHECK(p.width == 1920);
    CHECK(p.height == 1080);
    vf.stop();

    // A Recorder records one fixed size; Auto is the viewfinder's to resolve.
    auto recorder = record::Recorder::create(ro, 1920, 1080, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    REQUIRE_FALSE(recorder);
    CHECK(recorder.error().code == ErrorCode::InvalidArgument);
    CHECK(recorder.error().message.find("Auto") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Recording that cannot start says why and the viewfinder keeps running", "[record][viewfinder]") {
    const std::unique_ptr<Viewfinder> created = synthetic2k();
    Viewfinder& vf = *created;

    RecordOptions ro;
    ro.path = (test::outputDir("viewfinder-errors") / "clip.mp4").string();
    ro.resolution = RecordResolution::Fhd;
    const auto notRunning = vf.startRecording(ro);
    REQUIRE_FALSE(notRunning);
    CHECK(notRunning.error().code == ErrorCode::InvalidArgument);
    CHECK(notRunning.error().message.find("not running") != std::string::npos);

    REQUIRE(vf.start());
    std::this_thread::sleep_for(300ms);

    ro.path = "/nonexistent-rearview-dir/clip.mp4";
    const auto unwritable = vf.startRecording(ro);
    REQUIRE_FALSE(unwritable);
    INFO(unwritable.error().describe());
    CHECK(unwritable.error().message.find("/nonexistent-rearview-dir") != std::string::npos);
    CHECK_FALSE(vf.recording());

    // 2040x1530 frames cannot be scaled up to 4K.
    ro.path = (test::outputDir("viewfinder-errors") / "clip.mp4").string();
    ro.resolution = RecordResolution::Uhd4K;
    const auto tooSmall = vf.startRecording(ro);
    REQUIRE_FALSE(tooSmall);
    CHECK(tooSmall.error().code == ErrorCode::InvalidArgument);
    CHECK(tooSmall.error().message.find("2040x1530") != std::string::npos);
    CHECK_FALSE(fs::exists(ro.path));

    ro.encoder = "no-such-encoder";
    ro.resolution = RecordResolution::Fhd;
    const auto noEncoder = vf.startRecording(ro);
    REQUIRE_FALSE(noEncoder);
    CHECK(noEncoder.error().message.find("no-such-encoder") != std::string::npos);

    const auto nothing = vf.stopRecording();
    REQUIRE_FALSE(nothing);
    CHECK(nothing.error().code == ErrorCode::InvalidArgument);

    const uint64_t presented = vf.stats().presented, processed = vf.stats().framesProcessed;
    std::this_thread::sleep_for(1s);
    const ViewfinderStats s = vf.stats();
    CHECK(s.presented > presented + 12); // still presenting (margin for a loaded 2-core machine)
    CHECK(s.framesProcessed > processed + 10);
    CHECK_FALSE(s.recording);
    CHECK(s.frameErrors == 0);
    vf.stop();
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("A full disk stops the recording, the file plays, the viewfinder keeps presenting", "[record][viewfinder]") {
    const std::unique_ptr<Viewfinder> created = synthetic2k();
    Viewfinder& vf = *created;
    REQUIRE(vf.start());

    const fs::path dir = test::outputDir("viewfinder-disk-full");
    test::SmallDisk disk(dir, 1u << 20);
    WARN("disk full simulated with " << disk.how());
    RecordOptions ro;
    ro.path = (dir / "clip.mp4").string();
    ro.resolution = RecordResolution::Fhd;
    ro.codec = RecordCodec::H264;
    ro.bitrate = 40'000'000; // fills 1 MiB within a second or two
    ro.fragmentSeconds = 0.25;
    ro.priority = RecordPriority::Normal; // fills the disk in time while other tests run beside it
    REQUIRE(vf.startRecording(ro));

    // The recording stops by itself; the app sees why in the stats.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    ViewfinderStats s = vf.stats();
    while (!(s.recording && s.recording->stoppedByItself) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
        s = vf.stats();
    }
    REQUIRE(s.recording);
    INFO("recording error: " << s.recording->encoder.error);
    REQUIRE(s.recording->stoppedByItself);
    CHECK_FALSE(vf.recording());
    REQUIRE(s.lastError);
    CHECK(s.lastError->message.find(ro.path) != std::string::npos);

    // The viewfinder goes on.
    // Frames keep coming and reaching the panel; the governor, which shed panel processing
    // while the recording lost frames, restores it over the following seconds.
    const uint64_t presented = s.presented, processed = s.framesProcessed, captured = s.framesCaptured;
    std::this_thread::sleep_for(1s);
    s = vf.stats();
    CHECK(s.presented > presented + 12);
    CHECK(s.framesCaptured > captured + 10);
    CHECK(s.framesProcessed > processed);
    vf.stop();

    // What was written before the disk filled plays.
    const test::ProbeResult p = test::probe(ro.path);
    INFO(p.json);
    CHECK(p.ok);
    CHECK(p.frames >= 1);
    const test::CommandResult d = test::decodeAll(ro.path);
    INFO(d.output);
    CHECK(d.output.empty());
    REQUIRE_NO_VALIDATION_MESSAGES();
}
