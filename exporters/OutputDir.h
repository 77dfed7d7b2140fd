// The output folder's safety rules, shared by generate, merge, --devices and bench:
//   * an exclusive lock: while a process writes a dataset it holds flock(LOCK_EX) on the folder itself;
//     a second writer is refused at once (ExitCode::io), never interleaved;
//   * deletion by proof: --overwrite (and the clean-up of --devices parts or a failed merge) removes
//     only files a synthlabel manifest there accounts for: the manifest must say "tool": "synthlabel"
//     and give its frame range; a file is ours when it is a dataset-level file synthlabel writes
//     (manifest.json, coco.json, the formats' list files, or one listed in the manifest's file_hashes)
//     or lies in one of our folders (rgb/, records/, voc/, ...) and is named after a frame in that
//     range ("000012.png", "000012_gtFine_color.png"), or is an unfinished temporary of such a file.
//     Anything else (another tool's files, a user's notes) stays, and so do the folders holding it;
//   * no input of the same command as output: an output folder equal to, inside or holding one of the
//     command's inputs is refused (ExitCode::usage).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

// An exclusive advisory lock on a folder, held until destroyed (or the process ends, however it ends).
class OutputLock {
 public:
  OutputLock() = default;
  OutputLock(int fd, std::filesystem::path dir, bool created) : m_fd(fd), m_dir(std::move(dir)), m_created(created) {}
  ~OutputLock();
  OutputLock(OutputLock&& o) noexcept;
  OutputLock& operator=(OutputLock&& o) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  bool held() const { return m_fd >= 0; }
  // Undoes a refused run: removes what the folder's synthlabel manifest accounts for (nothing when it
  // has none yet), then the folder itself if prepare_output_dir made it and it is now empty.
  void abandon() const;

 private:
  int m_fd = -1;
  std::filesystem::path m_dir;
  bool m_created = false;  // the folder did not exist before prepare_output_dir
};

// Locks the existing folder `dir` for writing; ExitCode::io "output folder 'DIR' is being written by
// another synthlabel process ..." when another process holds it.
Result<OutputLock> lock_output_dir(const std::filesystem::path& dir);

// Makes `out` ready to receive a dataset and locks it: refuses it when it is, holds or lies inside one
// of `inputs`; creates it if missing; accepts it if empty; if it holds a previous synthlabel dataset
// and `overwrite` is set, removes that dataset's files (remove_dataset_files). Anything else is refused
// with ExitCode::io and nothing is touched.
Result<OutputLock> prepare_output_dir(const std::filesystem::path& out, bool overwrite,
                                      const std::vector<std::filesystem::path>& inputs = {});

// Refuses (ExitCode::usage, "WHAT 'OUT' is also an input of this command: INPUT") an output path that
// is one of `inputs`, lies inside one, or holds one, once symlinks and ".." are resolved.
Status check_not_an_input(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs,
                          const std::string& what);

struct RemovedFiles {
  std::uint64_t removed = 0;  // files deleted
  std::uint64_t kept = 0;     // entries left because no manifest accounts for them
  std::string first_kept;     // one of them, relative to the folder, for messages
};
// Removes the files the synthlabel manifest in `dir` accounts for (see above), then those of our
// folders left empty. ExitCode::io when `dir/manifest.json` is missing, not JSON or not synthlabel's.
Result<RemovedFiles> remove_dataset_files(const std::filesystem::path& dir);

}  // namespace synthlabel
