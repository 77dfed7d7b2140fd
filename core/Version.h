// Build identity recorded in every dataset manifest.
#pragma once
#include <string_view>

namespace synthlabel {
std::string_view tool_version();  // e.g. "0.1.0"
std::string_view git_revision();  // short hash of what was built, "-dirty" if modified, or "unknown"
}  // namespace synthlabel
