// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/log.hpp>

#include <format>
#include <string>

namespace rearview::log {

bool enabled(LogLevel level);
void write(LogLevel level, std::string_view message);

template <typename... Args>
void at(LogLevel level, std::format_string<Args...> fmt, Args&&... args) {
    if (enabled(level))
        write(level, std::format(fmt, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(std::format_string<Args...> fmt, Args&&... args) { at(LogLevel::Debug, fmt, std::forward<Args>(args)...); }
template <typename... Args>
void info(std::format_string<Args...> fmt, Args&&... args) { at(LogLevel::Info, fmt, std::forward<Args>(args)...); }
template <typename... Args>
void warn(std::format_string<Args...> fmt, Args&&... args) { at(LogLevel::Warning, fmt, std::forward<Args>(args)...); }
template <typename... Args>
void error(std::format_string<Args...> fmt, Args&&... args) { at(LogLevel::Error, fmt, std::forward<Args>(args)...); }

} // namespace rearview::log
