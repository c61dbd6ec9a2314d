// SPDX-License-Identifier: MIT
// The pipeline file parser on arbitrary bytes: a pipeline or a Parse/NotFound error naming the
// file, never a crash, leak or hang; an accepted pipeline holds at most kMaxPipelineStages
// stages per list. LUT references resolve in a scratch pipelines/ folder holding luts/look.cube.
#include "core/pipeline_file.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {
std::filesystem::path pipelineDir() {
    static const std::filesystem::path dir = [] {
        const auto d = std::filesystem::temp_directory_path() / ("rearview-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d / "luts");
        std::ofstream(d / "luts" / "look.cube") << "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n";
        return d;
    }();
    return dir;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto pipeline = rearview::parsePipeline(text, "fuzz.yaml", pipelineDir().string());
    if (!pipeline) {
        if (pipeline.error().message.find("fuzz.yaml") == std::string::npos)
            std::abort(); // every error names the file
        return 0;
    }
    if (pipeline->viewfinder.size() > rearview::kMaxPipelineStages ||
        pipeline->record.size() > rearview::kMaxPipelineStages)
        std::abort();
    return 0;
}
