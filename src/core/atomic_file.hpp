// SPDX-License-Identifier: MIT
// Writing a file so that its name never shows a partial one.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace rearview {

/// Writes `bytes` to `path` so that the name only ever shows a complete file: into an unnamed
/// file in the same directory (O_TMPFILE; a hidden temporary name where the file system has
/// none), flushed to the disk (fsync), then given its name in one rename, and the directory
/// flushed. A crash or a kill at any point leaves either no file or the complete one under
/// `path` (and, on file systems without O_TMPFILE, at most a hidden ".<name>.*.part" beside it);
/// a full disk or another write error removes what was written and says so (Io, naming the
/// path and the system's reason). An existing file under `path` is replaced only by a
/// complete one.
Result<void> writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes);

} // namespace rearview
