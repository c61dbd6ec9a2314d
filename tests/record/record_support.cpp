// SPDX-License-Identifier: MIT
#include "record/record_support.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <thread>

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <format>

namespace rearview::test {
namespace {

std::string quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

// The value after "key": in ffprobe's JSON (a string without quotes, or a number).
std::string jsonField(const std::string& json, const std::string& key) {
    const std::string needle = "\"" + key + "\":";
    size_t pos = json.find(needle);
    if (pos == std::string::npos)
        return {};
    pos += needle.size();
    while (pos < json.size() && json[pos] == ' ')
        ++pos;
    if (pos < json.size() && json[pos] == '"') {
        const size_t end = json.find('"', pos + 1);
        return json.substr(pos + 1, end - pos - 1);
    }
    size_t end = pos;
    while (end < json.size() && json[end] != ',' && json[end] != '\n' && json[end] != '}')
        ++end;
    return json.substr(pos, end - pos);
}

const std::vector<uint8_t>& noiseField() {
    static const std::vector<uint8_t> field = [] {
        std::vector<uint8_t> v(1 << 22);
        std::mt19937 rng(7);
        for (auto& b : v)
            b = uint8_t(rng());
        return v;
    }();
    return field;
}

} // namespace

void fillGradient(record::RecordFrame& f, uint32_t index) {
    for (uint32_t y = 0; y < f.height; ++y) {
        uint8_t* row = f.y() + size_t(y) * f.yStride;
        const uint32_t base = y * 160 / f.height + index * 3;
        for (uint32_t x = 0; x < f.width; ++x)
            row[x] = uint8_t(16 + (base + x * 160 / f.width) % 200);
    }
    for (uint32_t y = 0; y < f.height / 2; ++y) {
        uint8_t* row = f.uv() + size_t(y) * f.uvStride;
        const uint8_t cr = uint8_t(64 + (y * 2 * 128 / f.height + index) % 128);
        for (uint32_t x = 0; x < f.width / 2; ++x) {
            row[2 * x] = uint8_t(64 + (x * 2 * 128 / f.width + index * 2) % 128);
            row[2 * x + 1] = cr;
        }
    }
}

void fillNoise(record::RecordFrame& f, uint32_t index) {
    const auto& field = noiseField();
    const size_t mask = field.size() - 1;
    size_t offset = size_t(index) * 7919;
    for (uint32_t y = 0; y < f.height; ++y, offset += f.width)
        for (uint32_t x = 0; x < f.width; x += 64) {
            const uint32_t n = std::min(64u, f.width - x);
            const size_t src = (offset + x) & mask & ~size_t(63);
            std::memcpy(f.y() + size_t(y) * f.yStride + x, field.data() + src, n);
        }
    for (uint32_t y = 0; y < f.height / 2; ++y)
        std::memset(f.uv() + size_t(y) * f.uvStride, 128, f.width);
}

uint64_t frameTimeNs(uint32_t index, double fps) {
    return 5'000'000'000ull + uint64_t(double(index) * 1e9 / fps + 0.5);
}

void submitPaced(record::Recorder& recorder, uint32_t count, double fps, uint32_t firstIndex, bool noise) {
    for (uint32_t i = firstIndex; i < firstIndex + count; ++i) {
        if (!recorder.recording())
            return;
        for (;;) {
            const RecordStats s = recorder.stats();
            if (!s.recording || s.queueDepth + 1 < 4)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        std::optional<record::RecordFrame> f = recorder.acquireFrame();
        for (int tries = 0; !f && tries < 5000; ++tries) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            f = recorder.acquireFrame();
        }
        if (!f)
            return;
        noise ? fillNoise(*f, i) : fillGradient(*f, i);
        f->timestampNs = frameTimeNs(i, fps);
        recorder.submit(std::move(*f));
    }
}

std::filesystem::path outputDir(const std::string& name) {
    const auto dir = std::filesystem::current_path() / "record-out" / name;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir);
    return dir;
}

CommandResult runCommand(const std::string& command) {
    CommandResult r;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return r;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        r.output.append(buf.data(), n);
    const int status = ::pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

ProbeResult probe(const std::filesystem::path& file) {
    ProbeResult p;
    const CommandResult r = runCommand(
        "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
        "stream=codec_name,width,height,color_space,color_range,color_primaries,color_transfer,nb_read_frames "
        "-of json " + quote(file));
    p.json = r.output;
    p.codec = jsonField(r.output, "codec_name");
    p.ok = r.status == 0 && !p.codec.empty();
    p.colorSpace = jsonField(r.output, "color_space");
    p.colorRange = jsonField(r.output, "color_range");
    p.colorPrimaries = jsonField(r.output, "color_primaries");
    p.colorTransfer = jsonField(r.output, "color_transfer");
    const std::string w = jsonField(r.output, "width"), h = jsonField(r.output, "height");
    const std::string n = jsonField(r.output, "nb_read_frames");
    std::from_chars(w.data(), w.data() + w.size(), p.width);
    std::from_chars(h.data(), h.data() + h.size(), p.height);
    std::from_chars(n.data(), n.data() + n.size(), p.frames);
    return p;
}

CommandResult decodeAll(const std::filesystem::path& file) {
    return runCommand("ffmpeg -nostdin -v error -i " + quote(file) + " -f null -");
}

std::vector<PacketTime> packetTimes(const std::filesystem::path& file) {
    const CommandResult r = runCommand("ffprobe -v error -select_streams v:0 -show_entries "
                                       "packet=pts_time,duration_time -of csv=p=0 " + quote(file));
    std::vector<PacketTime> out;
    std::istringstream in(r.output);
    std::string line;
    while (std::getline(in, line)) {
        const size_t comma = line.find(',');
        if (comma == std::string::npos)
            continue;
        PacketTime t;
        const char* b = line.data();
        const char* e = b + line.size();
        if (std::from_chars(b, b + comma, t.pts).ec != std::errc{})
            continue;
        if (std::from_chars(b + comma + 1, e, t.duration).ec != std::errc{})
            t.duration = 0;
        out.push_back(t);
    }
    std::sort(out.begin(), out.end(), [](const PacketTime& a, const PacketTime& b) { return a.pts < b.pts; });
    return out;
}

SmallDisk::SmallDisk(const std::filesystem::path& dir, uint64_t bytes) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, std::format("size={}", bytes).c_str()) == 0;
    if (mounted_) {
        how_ = std::format("a {} KiB tmpfs mounted on {}", bytes >> 10, dir.string());
        return;
    }
    how_ = std::format("RLIMIT_FSIZE {} KiB (mounting a tmpfs failed: {})", bytes >> 10, std::strerror(errno));
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    ::getrlimit(RLIMIT_FSIZE, &old);
    oldLimit_ = old.rlim_cur;
    rlimit lim{rlim_t(bytes), old.rlim_max};
    ::setrlimit(RLIMIT_FSIZE, &lim);
}

SmallDisk::~SmallDisk() {
    if (mounted_) {
        ::umount2(dir_.c_str(), MNT_DETACH);
        return;
    }
    rlimit lim{};
    ::getrlimit(RLIMIT_FSIZE, &lim);
    lim.rlim_cur = rlim_t(oldLimit_);
    ::setrlimit(RLIMIT_FSIZE, &lim);
}

} // namespace rearview::test
