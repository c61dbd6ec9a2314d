// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <expected>
#include <string>
#include <string_view>

namespace rearview {

/// What kind of failure an Error reports. The message says what to do about it.
enum class ErrorCode {
    InvalidArgument,   ///< A parameter is out of range or inconsistent.
    NotFound,          ///< A named thing (camera, file, GPU, shader) does not exist.
    Unsupported,       ///< The driver or hardware lacks a required feature.
    OutOfMemory,       ///< Host or device allocation failed.
    DeviceLost,        ///< The GPU or camera went away.
    Io,                ///< Reading or writing a file failed.
    Parse,             ///< Malformed input file (pipeline, LUT, image).
    Internal,          ///< Anything else reported by a driver or library.
    Cancelled,         ///< The app cancelled it (Viewfinder::cancelPhoto()), or the viewfinder stopped first.
};

/// Human-readable name of an ErrorCode ("invalid argument", ...).
REARVIEW_API std::string_view toString(ErrorCode code) noexcept;

/// A failure with a code and a message a person can act on.
struct REARVIEW_API Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;

    /// "<code>: <message>".
    std::string describe() const;
};

/// Every fallible rearview call returns a Result: the value, or an Error.
template <typename T>
using Result = std::expected<T, Error>;

/// Shorthand for returning an error: `return fail(ErrorCode::NotFound, "...")`.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

} // namespace rearview
