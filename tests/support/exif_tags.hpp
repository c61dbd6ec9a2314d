// SPDX-License-Identifier: MIT
// A photo's metadata as an independent tool reads it: exiftool (Debian's libimage-exiftool-perl).
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

namespace rearview::test {

/// exiftool's numeric values (-n) of every tag it finds in `file`, by tag name ("Orientation",
/// "ExifImageWidth", "DateTimeOriginal", ...); empty when exiftool fails. `exiftool_error`
/// receives its output then.
inline std::map<std::string, std::string> exifTags(const std::filesystem::path& file, std::string* output = nullptr) {
    std::map<std::string, std::string> tags;
    const std::string command = "exiftool -n -S '" + file.string() + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return tags;
    std::string all;
    char line[4096];
    while (std::fgets(line, sizeof line, pipe)) {
        std::string text(line);
        all += text;
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
        const size_t colon = text.find(": ");
        if (colon != std::string::npos)
            tags[text.substr(0, colon)] = text.substr(colon + 2);
    }
    if (::pclose(pipe) != 0)
        tags.clear();
    if (output)
        *output = all;
    return tags;
}

} // namespace rearview::test
