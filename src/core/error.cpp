// SPDX-License-Identifier: MIT
#include <rearview/error.hpp>

#include <format>

namespace rearview {

std::string_view toString(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::DeviceLost: return "device lost";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::Parse: return "parse error";
    case ErrorCode::Internal: return "internal error";
    case ErrorCode::Cancelled: return "cancelled";
    }
    return "error";
}

std::string Error::describe() const { return std::format("{}: {}", toString(code), message); }

} // namespace rearview
