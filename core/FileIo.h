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

// "cannot WHAT 'PATH': REASON" (ExitCode::io), the OS reason of `err` (an errno value) or `ec`.
Error io_error(const std::filesystem::path& path, std::string_view what, int err);
Error io_error(const std::filesystem::path& path, std::string_view what, const std::error_code& ec);

Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
Status write_file_atomic(const std::filesystem::path& path, std::string_view text);
Result<std::string> read_text_file(const std::filesystem::path& path);

// True when `path` lies inside `folder` (or is it) once both are made absolute with symlinks and ".."
// resolved (as far as they exist): the one rule of every confinement (--asset-root for assets, the
// files models refer to, includes). A path that cannot be resolved lies outside.
bool lies_inside(const std::filesystem::path& path, const std::filesystem::path& folder);
// The file `rel` names when a file inside `root` names it (a dataset's JSON): root / rel when `rel`
// is relative, not empty, has no ".." part and the result lies inside `root` (lies_inside: symlinks
// resolved); else an empty path, which no reader opens (the caller reports the entry).
std::filesystem::path path_inside(const std::filesystem::path& root, std::string_view rel);

// A new, empty folder of this process's own under the system temp folder, named PREFIX-XXXXXX
// (mkdtemp): nothing else was there, so removing it afterwards removes only what was written in it.
Result<std::filesystem::path> make_temp_folder(std::string_view prefix);
// Reads an input file of at most `limit` bytes. Errors (ExitCode::asset, without the path, for the
// caller to prefix): "WHAT not found (or not a regular file)", "cannot read: REASON", "larger than N MiB".
Result<std::string> read_bounded_file(const std::filesystem::path& path, std::uint64_t limit, const std::string& what);

// A file written piece by piece under a temporary name, renamed into place by commit(); destroyed
// without commit, it removes the temporary file. Write errors are remembered and reported by commit().
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view text);
  Status commit();

 private:
  std::filesystem::path m_path, m_tmp;
  int m_fd = -1;
  int m_errno = 0;
  std::string m_buffer;
  void flush();
  void write_through(std::string_view bytes);
};

}  // namespace synthlabel
