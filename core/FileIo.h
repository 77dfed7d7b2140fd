// File output that never leaves a partial file under a final name: data is written to a temporary
// name in the same folder, flushed, then renamed into place (rename is atomic on POSIX filesystems).
// Errors name the path and the OS reason (e.g. "No space left on device") and carry ExitCode::io.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/Error.h"

namespace synthlabel {

Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
Status write_file_atomic(const std::filesystem::path& path, std::string_view text);
Result<std::string> read_text_file(const std::filesystem::path& path);

}  // namespace synthlabel
