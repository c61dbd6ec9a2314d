// SPDX-License-Identifier: MIT
// Viewfinder options and scratch paths the viewfinder tests share.
#pragma once

#include <rearview/viewfinder.hpp>

#include <unistd.h>

#include <filesystem>
#include <format>
#include <string>
#include <string_view>

namespace rearview::test {

/// A headless viewfinder on `source`, without face analysis (the tests' CPU goes to frames).
inline ViewfinderOptions headlessViewfinder(SourceOptions source) {
    ViewfinderOptions o;
    o.source = std::move(source);
    o.target = PresentTarget::Headless;
    o.faceAnalysis = false;
    return o;
}

/// headlessViewfinder() on a 30 fps synthetic source of `size`.
inline ViewfinderOptions syntheticHeadless(FrameSize size = {2040, 1530}) {
    return headlessViewfinder({.kind = SourceKind::Synthetic, .size = size, .frameRate = 30});
}

/// `name` in a directory of this test process's own under the system's temporary directory.
inline std::filesystem::path scratchPath(std::string_view suite, const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / std::format("rearview-{}-{}", suite, ::getpid());
    std::filesystem::create_directories(dir);
    return dir / name;
}

} // namespace rearview::test
