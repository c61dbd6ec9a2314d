// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <functional>
#include <string_view>

namespace rearview {

/// Severity of a log line.
enum class LogLevel { Debug, Info, Warning, Error, Off };

/// Lines below `level` are dropped. Default: Info, or the REARVIEW_LOG environment
/// variable ("debug", "info", "warning", "error", "off") when set.
REARVIEW_API void setLogLevel(LogLevel level);
REARVIEW_API LogLevel logLevel();

/// Where log lines go. Default (or an empty function): standard error, "[rearview] " prefixed.
/// Called from whichever thread logs; the sink must be thread-safe.
REARVIEW_API void setLogSink(std::function<void(LogLevel, std::string_view)> sink);

} // namespace rearview
