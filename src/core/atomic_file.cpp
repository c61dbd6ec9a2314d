// SPDX-License-Identifier: MIT
#include "core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <format>
#include <vector>

namespace rearview {
namespace {

Result<void> ioError(const std::string& path, std::string_view what, int err) {
    return fail(ErrorCode::Io, std::format("{} '{}': {}{}", what, path, std::strerror(err),
                                           err == ENOSPC || err == EDQUOT || err == EFBIG
                                               ? " (the disk is full: free space or choose another directory)"
                                               : ""));
}

Result<void> writeAll(int fd, std::span<const uint8_t> bytes, const std::string& path) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return ioError(path, "cannot write", n < 0 ? errno : ENOSPC);
        done += size_t(n);
    }
    if (::fsync(fd) != 0)
        return ioError(path, "cannot flush", errno);
    return {};
}

} // namespace

Result<void> writeFileAtomically(const std::string& path, std::span<const uint8_t> bytes) {
    const std::filesystem::path target(path);
    std::string dir = target.parent_path().string();
    if (dir.empty())
        dir = ".";
    const std::string name = target.filename().string();
    // The part name: for O_TMPFILE only the instant between link and rename, else while written.
    std::string part = std::format("{}/.{}.{}.part", dir, name, ::getpid());

    int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    const bool unnamed = fd >= 0;
    if (!unnamed) {
        std::vector<char> templ(part.begin(), part.end());
        const std::string suffix = "XXXXXX";
        templ.insert(templ.end(), suffix.begin(), suffix.end());
        templ.push_back('\0');
        fd = ::mkostemp(templ.data(), O_CLOEXEC);
        if (fd < 0)
            return ioError(path, "cannot create a file beside", errno);
        part.assign(templ.data());
        ::fchmod(fd, 0644);
    }
    auto written = writeAll(fd, bytes, path);
    if (written && unnamed) {
        // Name the finished file; a part left by an earlier crash of this pid goes first.
        ::unlink(part.c_str());
        const std::string self = std::format("/proc/self/fd/{}", fd);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, part.c_str(), AT_SYMLINK_FOLLOW) != 0)
            written = ioError(path, "cannot name the finished file for", errno);
    }
    ::close(fd);
    if (written && std::rename(part.c_str(), path.c_str()) != 0)
        written = ioError(path, "cannot rename the finished file to", errno);
    if (!written) {
        ::unlink(part.c_str()); // whatever of it has a name
        return written;
    }
    if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
        ::fsync(d);
        ::close(d);
    }
    return {};
}

} // namespace rearview
