// SPDX-License-Identifier: MIT
// Recording: encoder throughput (frames/s) at 4K and 8K for every encoder that opens here,
// beside the read floor of the same NV12 frame from the same run. REARVIEW_BENCH_SIZE=WxH
// replaces the two sizes with one (the CI short run uses a small frame).
#include "record/encoder.hpp"
#include "record/encoder_select.hpp"
#include "record/record_frame.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <format>
#include <string>
#include <utility>
#include <vector>

using namespace rearview;

namespace {

std::vector<std::pair<uint32_t, uint32_t>> sizes() {
    if (const char* s = std::getenv("REARVIEW_BENCH_SIZE")) {
        uint32_t w = 0, h = 0;
        if (std::sscanf(s, "%ux%u", &w, &h) == 2 && w >= 64 && h >= 64)
            return {{w & ~1u, h & ~1u}};
    }
    return {{3840, 2160}, {7680, 4320}};
}

void fill(record::RecordFrame& f, uint32_t index) {
    for (uint32_t y = 0; y < f.height; ++y) {
        uint8_t* row = f.y() + size_t(y) * f.yStride;
        for (uint32_t x = 0; x < f.width; ++x)
            row[x] = uint8_t(16 + (x * 160 / f.width + y * 160 / f.height + index * 3) % 200);
    }
    for (uint32_t y = 0; y < f.height / 2; ++y)
        std::memset(f.uv() + size_t(y) * f.uvStride, int(96 + (y + index) % 64), f.width);
}

record::EncoderConfig configFor(uint32_t w, uint32_t h) {
    record::EncoderConfig c;
    c.width = w;
    c.height = h;
    c.frameRate = 30;
    c.keyframeInterval = 30;
    c.colorSpace = {YcbcrMatrix::Bt709, YcbcrRange::Limited};
    return c;
}

// Touching every cache line of one frame: the floor any per-frame CPU work sits on.
void readFloor(benchmark::State& state, uint32_t w, uint32_t h) {
    auto f = record::RecordFrame::allocate(w, h);
    fill(f, 0);
    const size_t bytes = f.storage.size();
    for (auto _ : state) {
        uint64_t sum = 0;
        for (size_t i = 0; i < bytes; i += 64)
            sum += f.storage.data()[i];
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
}

// One iteration = one frame sent and whatever packets are ready collected; the encoder's
// pipeline fills during the first frames, so steady-state throughput shows after a few.
void encode(benchmark::State& state, std::string name, uint32_t w, uint32_t h) {
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    auto enc = record::Encoder::open(codec, configFor(w, h));
    if (!enc) {
        state.SkipWithMessage(enc.error().message);
        return;
    }
    record::FramePool pool(w, h, 12);
    AVPacket* packet = av_packet_alloc();
    uint32_t index = 0;
    uint64_t bytes = 0;
    for (auto _ : state) {
        state.PauseTiming();
        auto f = pool.acquire();
        if (!f) {
            state.SkipWithError("frame pool exhausted");
            break;
        }
        fill(*f, index);
        state.ResumeTiming();
        if (auto ok = (*enc)->send(std::move(*f), int64_t(index) * 3000, 3000, false); !ok) {
            state.SkipWithError(ok.error().message);
            break;
        }
        ++index;
        for (;;) {
            auto got = (*enc)->receive(packet);
            if (!got || !*got)
                break;
            bytes += uint64_t(packet->size);
            av_packet_unref(packet);
        }
    }
    av_packet_free(&packet);
    state.counters["fps"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["bytes_per_frame"] = index ? double(bytes) / index : 0;
    state.SetLabel(std::format("{} {}x{}{}", name, w, h, (*enc)->hardware() ? " (hardware)" : ""));
}

// Only encoders that open here are registered: an unavailable hardware encoder is not an error.
[[maybe_unused]] const bool registered = [] {
    record::installAvLogForwarding();
    for (const auto& [w, h] : sizes()) {
        benchmark::RegisterBenchmark(std::format("Record/ReadFloor/{}x{}", w, h), readFloor, w, h);
        std::vector<std::string> names = record::encoderCandidates(RecordCodec::Hevc, true);
        for (const std::string& n : record::encoderCandidates(RecordCodec::H264, false))
            if (std::find(names.begin(), names.end(), n) == names.end())
                names.push_back(n);
        for (const std::string& n : names) {
            const AVCodec* codec = avcodec_find_encoder_by_name(n.c_str());
            if (!codec || !record::Encoder::open(codec, configFor(w, h)))
                continue;
            benchmark::RegisterBenchmark(std::format("Record/Encode/{}/{}x{}", n, w, h), encode, n, w, h)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime()
                ->Iterations(w * h > 10'000'000 ? 12 : 30);
        }
    }
    return true;
}();

} // namespace
