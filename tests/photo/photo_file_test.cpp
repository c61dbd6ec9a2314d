// SPDX-License-Identifier: MIT
// Photo files: JPEG from libjpeg-turbo with EXIF from libexif, read back by independent tools
// (exiftool, OpenCV's decoder), written atomically even on a full disk or under kill -9.
#include "core/atomic_file.hpp"
#include "core/panel_mapping.hpp"
#include "photo/exif.hpp"
#include "photo/jpeg_encoder.hpp"
#include "photo/photo_plan.hpp"
#include "record/record_support.hpp"
#include "support/exif_tags.hpp"
#include "support/gradient_image.hpp"
#include "support/image_compare.hpp"
#include "support/portrait.hpp"

#include <rearview/photo.hpp>

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgcodecs.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <thread>

using namespace rearview;

namespace {

std::vector<uint8_t> jpegOf(const RgbaImage& image, int quality, const photo::ExifFields& fields) {
    auto exif = photo::buildExif(fields);
    REQUIRE(exif);
    auto jpeg = photo::encodeJpeg(image.pixels.data(), image.width, image.height, size_t(image.width) * 4, quality, *exif);
    REQUIRE(jpeg);
    return *jpeg;
}

RgbaImage decode(const std::filesystem::path& file) {
    const cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    REQUIRE(!bgr.empty());
    RgbaImage out(uint32_t(bgr.cols), uint32_t(bgr.rows));
    for (int y = 0; y < bgr.rows; ++y)
        for (int x = 0; x < bgr.cols; ++x) {
            const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
            uint8_t* o = out.row(uint32_t(y)) + size_t(x) * 4;
            o[0] = p[2], o[1] = p[1], o[2] = p[0], o[3] = 255;
        }
    return out;
}

int64_t nowRealtimeNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

TEST_CASE("A JPEG with EXIF reads back with exiftool and decodes to the image", "[photo]") {
    const RgbaImage& image = test::portrait();
    const int64_t when = nowRealtimeNs();
    const photo::ExifFields fields{.model = "main",
                                   .software = "rearview",
                                   .captureRealtimeNs = when,
                                   .orientation = 6,
                                   .width = image.width,
                                   .height = image.height,
                                   .exposureSeconds = 1.0 / 120.0,
                                   .analogueGain = 2.0};
    const auto dir = test::outputDir("photo-exif");
    const auto file = dir / "exif.jpg";
    REQUIRE(writeFileAtomically(file.string(), jpegOf(image, 95, fields)));

    std::string output;
    const auto tags = test::exifTags(file, &output);
    INFO(output);
    REQUIRE(!tags.empty());
    CHECK(tags.at("Make") == "rearview");
    CHECK(tags.at("Model") == "main");
    CHECK(tags.at("Software") == "rearview");
    CHECK(tags.at("Orientation") == "6");
    CHECK(tags.at("ExifImageWidth") == std::to_string(image.width));
    CHECK(tags.at("ExifImageHeight") == std::to_string(image.height));
    CHECK(tags.at("ImageWidth") == std::to_string(image.width));
    CHECK(tags.at("ImageHeight") == std::to_string(image.height));
    CHECK(tags.at("ColorSpace") == "1");
    CHECK(std::abs(std::stod(tags.at("ExposureTime")) - 1.0 / 120.0) < 1e-9);
    CHECK(tags.at("ISO") == "200");
    // Local time, with the milliseconds and the offset from UTC.
    const time_t seconds = time_t(when / 1000000000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char expected[20];
    std::strftime(expected, sizeof expected, "%Y:%m:%d %H:%M:%S", &local);
    CHECK(tags.at("DateTimeOriginal") == expected);
    CHECK(tags.at("SubSecTimeOriginal") == std::format("{:03}", (when / 1000000) % 1000));
    CHECK(tags.contains("OffsetTimeOriginal"));
    CHECK(tags.at("OffsetTimeOriginal").size() == 6); // "+HH:MM"

    // The pixels: quality 95 keeps the portrait well above 35 dB.
    const double p = test::psnr(decode(file), image);
    INFO("PSNR " << p << " dB");
    CHECK(p >= 38.0);
}

TEST_CASE("EXIF orientation names each rotation and mirror, as exiftool reads it", "[photo]") {
    // The transform that shows sensor-oriented pixels as the panel does (TIFF 6.0 Orientation).
    const struct {
        uint32_t degrees;
        bool mirror;
        int expected;
    } cases[] = {{0, false, 1}, {90, false, 6}, {180, false, 3}, {270, false, 8},
                 {0, true, 2},  {90, true, 5},  {180, true, 4},  {270, true, 7}};
    const auto dir = test::outputDir("photo-orientation");
    const RgbaImage image = test::gradientImage(64, 48);
    for (const auto& c : cases) {
        const uint16_t o = photo::exifOrientation(c.degrees, c.mirror);
        CHECK(o == c.expected);
        const auto file = dir / std::format("r{}-{}.jpg", c.degrees, c.mirror);
        REQUIRE(writeFileAtomically(file.string(), jpegOf(image, 90, {.orientation = o, .width = 64, .height = 48})));
        const auto tags = test::exifTags(file);
        INFO(file);
        CHECK(tags.at("Orientation") == std::to_string(c.expected));
    }
}

TEST_CASE("Bad encoder input is refused naming the value", "[photo]") {
    const RgbaImage image = test::gradientImage(16, 16);
    auto q = photo::encodeJpeg(image.pixels.data(), 16, 16, 64, 101, {});
    REQUIRE(!q);
    CHECK(q.error().message.find("quality 101") != std::string::npos);
    auto s = photo::encodeJpeg(image.pixels.data(), 16, 16, 32, 90, {});
    REQUIRE(!s);
    CHECK(s.error().message.find("stride") != std::string::npos);
    auto o = photo::buildExif({.orientation = 9});
    REQUIRE(!o);
    CHECK(o.error().message.find("orientation 9") != std::string::npos);
}

TEST_CASE("A full disk fails the write, names it, and leaves no file and no part", "[photo]") {
    const auto dir = test::outputDir("photo-full-disk");
    const test::SmallDisk disk(dir, 256 << 10);
    INFO(disk.how());
    const auto file = dir / "photo.jpg";
    const std::vector<uint8_t> big(4u << 20, 0x5a);
    auto r = writeFileAtomically(file.string(), big);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::Io);
    CHECK(r.error().message.find(file.string()) != std::string::npos);
    CHECK(r.error().message.find("disk is full") != std::string::npos);
    CHECK(!std::filesystem::exists(file));
    // Nothing else was left in the directory either (no part file).
    CHECK(std::filesystem::is_empty(dir));

    // A small photo still fits, and a failed rewrite leaves it as it was.
    const std::vector<uint8_t> small(1000, 0x11);
    REQUIRE(writeFileAtomically(file.string(), small));
    REQUIRE(!writeFileAtomically(file.string(), big));
    CHECK(std::filesystem::file_size(file) == small.size());
}

TEST_CASE("kill -9 during a write leaves no file under the name, or the previous complete one", "[photo]") {
    const auto dir = test::outputDir("photo-kill9");
    const auto file = dir / "photo.jpg";
    constexpr size_t kBytes = 64u << 20; // a write long enough to be killed in the middle of
    for (const bool afterFirst : {false, true}) {
        std::filesystem::remove(file);
        int out[2];
        REQUIRE(::pipe(out) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::execl(REARVIEW_WRITE_HELPER, REARVIEW_WRITE_HELPER, file.c_str(), std::to_string(kBytes).c_str(), nullptr);
            ::_exit(127);
        }
        ::close(out[1]);
        if (afterFirst) { // wait for one complete write, then kill during a later one
            char buf[64];
            REQUIRE(::read(out[0], buf, sizeof buf) > 0);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ::close(out[0]);
        INFO("after a complete write: " << afterFirst);
        REQUIRE(WIFSIGNALED(status));
        if (!afterFirst && !std::filesystem::exists(file)) {
            SUCCEED("killed before the first write finished: nothing under the name");
        } else {
            // Whatever is under the name is one complete round: every byte the same.
            REQUIRE(std::filesystem::exists(file));
            CHECK(std::filesystem::file_size(file) == kBytes);
            std::ifstream in(file, std::ios::binary);
            std::vector<char> bytes(kBytes);
            in.read(bytes.data(), std::streamsize(kBytes));
            CHECK(std::all_of(bytes.begin(), bytes.end(), [&](char c) { return c == bytes.front(); }));
        }
        // The only entry is the photo: unnamed files (O_TMPFILE) vanish with the process.
        size_t entries = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir))
            ++entries;
        CHECK(entries <= 1);
    }
}

TEST_CASE("Photo strips cover every row once, on the beauty grid, with margins beauty cannot reach across", "[photo]") {
    // 8160x6120 RGBA8 is 200 MB; lavapipe binds at most 128 MiB.
    const uint32_t cell = 36, margin = 6 * cell;
    auto strips = photo::planStrips(8160, 6120, 128u << 20, cell);
    REQUIRE(strips);
    REQUIRE(strips->size() >= 2);
    uint32_t next = 0;
    for (size_t k = 0; k < strips->size(); ++k) {
        const photo::Strip& s = (*strips)[k];
        INFO("strip " << k << ": rows " << s.first << " + " << s.rows << ", keeps " << s.keepFirst << " + " << s.keepRows);
        CHECK(uint64_t(s.rows) * 8160 * 4 <= (128u << 20));
        CHECK(s.first % cell == 0);
        CHECK(s.keepFirst == next);
        next = s.keepFirst + s.keepRows;
        CHECK(s.keepFirst >= s.first);
        CHECK((s.keepFirst == 0 || s.keepFirst - s.first >= margin));
        CHECK((s.first + s.rows == 6120 || s.first + s.rows - next >= margin));
    }
    CHECK(next == 6120);
    // What fits is one strip; what cannot hold even the margins is refused.
    auto one = photo::planStrips(4080, 3060, 128u << 20, 18);
    REQUIRE(one);
    REQUIRE(one->size() == 1);
    CHECK((one->front().rows == 3060 && one->front().keepRows == 3060));
    auto tiny = photo::planStrips(8160, 6120, 8160 * 4 * 100, cell);
    REQUIRE(!tiny);
    CHECK(tiny.error().message.find("even in strips") != std::string::npos);
}

TEST_CASE("A strip's crop plan shows the same frame points as the whole photo's rows, in every rotation and mirror",
          "[photo]") {
    for (const Rotation r : {Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270})
        for (const bool mirror : {false, true}) {
            ViewGeometry g;
            g.rotation = r;
            g.mirror = mirror;
            g.zoom = 1.3f;
            const bool quarter = r == Rotation::R90 || r == Rotation::R270;
            const uint32_t w = quarter ? 480 : 640, h = quarter ? 640 : 480;
            auto full = planCrop(1280, 960, w, h, g);
            REQUIRE(full);
            for (const auto& [first, rows] : {std::pair{0u, 100u}, std::pair{96u, 200u}, std::pair{h - 64, 64u}}) {
                const CropPlan s = photo::stripPlan(*full, first, rows);
                INFO("rotation " << unsigned(r) << " mirror " << mirror << " rows " << first << " + " << rows);
                for (const uint32_t y : {0u, rows / 2, rows - 1})
                    for (const uint32_t x : {0u, w / 3, w - 1}) {
                        const PanelPoint local{(float(x) + 0.5f) / float(w), (float(y) + 0.5f) / float(rows)};
                        const PanelPoint whole{(float(x) + 0.5f) / float(w), (float(first + y) + 0.5f) / float(h)};
                        auto a = panelToFrame(s, local);
                        auto b = panelToFrame(*full, whole);
                        REQUIRE(a);
                        REQUIRE(b);
                        CHECK(std::abs(a->x - b->x) < 1e-3);
                        CHECK(std::abs(a->y - b->y) < 1e-3);
                    }
            }
        }
}

TEST_CASE("Photo options are checked, naming the option and its value", "[photo]") {
    const auto dir = test::outputDir("photo-options");
    const std::string good = (dir / "p.jpg").string();
    // A directory nobody may write to, root included: a read-only tmpfs (the tests run as
    // root in a mount namespace of their own), else one without write permission.
    const auto readOnly = dir / "read-only";
    std::filesystem::create_directories(readOnly);
    const bool mounted = ::mount("tmpfs", readOnly.c_str(), "tmpfs", MS_RDONLY, "size=4k") == 0;
    if (!mounted)
        std::filesystem::permissions(readOnly, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    CHECK(validate(PhotoOptions{.path = good}));
    const struct {
        PhotoOptions options;
        std::string expected;
    } cases[] = {
        {{.path = ""}, "photo path is empty"},
        {{.path = (dir / "p.png").string()}, "must end in .jpg or .jpeg"},
        {{.path = (dir / "missing" / "p.jpg").string()}, "does not exist"},
        {{.path = (readOnly / "p.jpg").string()}, "is not writable"},
        {{.path = good, .quality = 0}, "quality 0 is not 1..100"},
        {{.path = good, .quality = 101}, "quality 101 is not 1..100"},
        {{.path = good, .burst = 0}, "burst 0 is not 1..10"},
        {{.path = good, .burst = 11}, "burst 11 is not 1..10"},
        {{.path = good, .timerSeconds = -1}, "self-timer -1 s"},
        {{.path = good, .timerSeconds = 31}, "self-timer 31 s"},
        {{.path = good, .size = PhotoSize(9)}, "photo size 9"},
    };
    for (const auto& c : cases) {
        auto r = validate(c.options);
        INFO(c.expected);
        REQUIRE(!r);
        CHECK(r.error().message.find(c.expected) != std::string::npos);
    }
    if (mounted)
        ::umount2(readOnly.c_str(), MNT_DETACH);
}
