// SPDX-License-Identifier: MIT
// Recording tests: synthetic NV12 frames, feeding a recorder, and checking files with ffprobe/ffmpeg.
#pragma once

#include "record/recorder.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rearview::test {

/// Moving gradients (Y diagonal ramp, Cb/Cr horizontal/vertical ramps) that shift with `index`.
void fillGradient(record::RecordFrame& frame, uint32_t index);

/// Noise-like content (a fixed random field shifted per frame) that compresses poorly.
void fillNoise(record::RecordFrame& frame, uint32_t index);

/// Sensor timestamp of frame `index` at `fps`, from an arbitrary non-zero start.
uint64_t frameTimeNs(uint32_t index, double fps);

/// Submits `count` frames (pooled, gradient content, timestamps at `fps`) without ever
/// overrunning the queue: waits while it is nearly full, so nothing is dropped.
void submitPaced(record::Recorder& recorder, uint32_t count, double fps, uint32_t firstIndex = 0, bool noise = false);

/// A fresh, empty directory for one test's files under the test's working directory.
std::filesystem::path outputDir(const std::string& name);

/// Runs `command` through /bin/sh; returns its exit status and combined stdout+stderr.
struct CommandResult {
    int status = -1;
    std::string output;
};
CommandResult runCommand(const std::string& command);

/// What ffprobe says about a file's first video stream (after decoding it with -count_frames).
struct ProbeResult {
    bool ok = false;          ///< ffprobe exited 0 and reported a video stream
    std::string json;         ///< its whole output
    std::string codec, colorSpace, colorRange, colorPrimaries, colorTransfer;
    int width = 0, height = 0;
    long frames = -1;         ///< nb_read_frames
};
ProbeResult probe(const std::filesystem::path& file);

/// ffmpeg -v error decoding every frame to the null muxer: its messages (empty = clean).
CommandResult decodeAll(const std::filesystem::path& file);

/// Packet pts/duration in seconds of the first video stream, in presentation order.
struct PacketTime {
    double pts = 0, duration = 0;
};
std::vector<PacketTime> packetTimes(const std::filesystem::path& file);

/// A directory that holds only `bytes` for as long as this lives: a tmpfs of that size
/// mounted on it (the tests run as root in a private mount namespace), else RLIMIT_FSIZE on
/// the process (SIGXFSZ ignored), which fails writes past that size the same way.
class SmallDisk {
public:
    SmallDisk(const std::filesystem::path& dir, uint64_t bytes);
    ~SmallDisk();
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    /// How the limit is made, for the test log.
    const std::string& how() const { return how_; }
    bool mounted() const { return mounted_; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
    uint64_t oldLimit_ = 0;
    std::string how_;
};

} // namespace rearview::test
