// SPDX-License-Identifier: MIT
// What librearview.so exports: the library is compiled with hidden visibility, and only the
// declarations in include/rearview/ marked REARVIEW_API are visible to apps.
#pragma once

/// Marks a public function or class as part of librearview's exported API.
#define REARVIEW_API __attribute__((visibility("default")))
