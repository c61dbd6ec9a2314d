// SPDX-License-Identifier: MIT
// Propagating a Result's error without a line of boilerplate per call.
#pragma once

#include <rearview/error.hpp>

#include <utility>

/// Returns the error of a Result-returning expression from the enclosing function.
#define RV_TRY(expr)                                                                         \
    do {                                                                                     \
        if (auto rv_r_ = (expr); !rv_r_)                                                     \
            return std::unexpected(std::move(rv_r_.error()));                                \
    } while (0)
