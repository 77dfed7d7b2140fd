#include "core/FileIo.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace synthlabel {
namespace {

// Unique temporary name per process and call, in the destination folder so rename stays atomic.
std::filesystem::path temp_name(const std::filesystem::path& path) {
  static std::atomic<std::uint64_t> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  return tmp;
}

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  return write_file_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view text) {
  AtomicFileWriter file(path);
  file.write(text);
  return file.commit();
}

AtomicFileWriter::AtomicFileWriter(std::filesystem::path path) : m_path(std::move(path)), m_tmp(temp_name(m_path)) {
  m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) m_errno = errno;
}

AtomicFileWriter::~AtomicFileWriter() {
  if (m_fd >= 0) {
    ::close(m_fd);
    ::unlink(m_tmp.c_str());
  }
}

void AtomicFileWriter::write(std::string_view text) {
  constexpr std::size_t k_chunk = 1u << 20;
  if (m_buffer.size() + text.size() < k_chunk) {
    m_buffer.append(text);
    return;
  }
  flush();
  write_through(text);
}

void AtomicFileWriter::flush() {
  write_through(m_buffer);
  m_buffer.clear();
}

void AtomicFileWriter::write_through(std::string_view bytes) {
  std::size_t done = 0;
  while (m_fd >= 0 && m_errno == 0 && done < bytes.size()) {
    const ssize_t n = ::write(m_fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno != EINTR) m_errno = errno;
      continue;
    }
    done += static_cast<std::size_t>(n);
  }
}

Status AtomicFileWriter::commit() {
  flush();
  if (m_fd < 0) return io_error(m_path, "create", m_errno);
  const int fd = std::exchange(m_fd, -1);
  if (m_errno != 0) {
    ::close(fd);
    ::unlink(m_tmp.c_str());
    return io_error(m_path, "write", m_errno);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(m_tmp.c_str());
    return io_error(m_path, "write", err);
  }
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    const int err = errno;
    ::unlink(m_tmp.c_str());
    return io_error(m_path, "rename into place", err);
  }
  return ok_status();
}

Result<std::string> read_bounded_file(const std::filesystem::path& path, std::uint64_t limit, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return make_error(ExitCode::asset, what + " not found (or not a regular file)");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(ExitCode::asset, "cannot read: " + ec.message());
  if (size > limit) return make_error(ExitCode::asset, "larger than " + std::to_string(limit >> 20) + " MiB");
  auto bytes = read_text_file(path);
  if (!bytes) return make_error(ExitCode::asset, bytes.error().message);
  return bytes;
}

Result<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(path, "open", errno ? errno : ENOENT);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error(path, "read", errno);
  return ss.str();
}

bool lies_inside(const std::filesystem::path& path, const std::filesystem::path& folder) {
  std::error_code ec;
  const auto resolve = [&ec](const std::filesystem::path& p) {
    return std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec);
  };
  const auto rel = resolve(path).lexically_relative(resolve(folder));
  return !ec && !rel.empty() && *rel.begin() != "..";
}

std::filesystem::path path_inside(const std::filesystem::path& root, std::string_view rel) {
  const std::filesystem::path p(rel);
  if (rel.empty() || p.is_absolute()) return {};
  for (const auto& part : p) {
    if (part == "..") return {};
  }
  const std::filesystem::path joined = root / p;
  return lies_inside(joined, root) ? joined : std::filesystem::path();
}

Result<std::filesystem::path> make_temp_folder(std::string_view prefix) {
  std::error_code ec;
  std::string name = (std::filesystem::temp_directory_path(ec) / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(name.data()) == nullptr) return io_error(name, "create a temporary folder", errno);
  return std::filesystem::path(name);
}

Error io_error(const std::filesystem::path& path, std::string_view what, int err) {
  return make_error(ExitCode::io, "cannot " + std::string(what) + " '" + path.string() + "': " + std::strerror(err));
}

Error io_error(const std::filesystem::path& path, std::string_view what, const std::error_code& ec) {
  return io_error(path, what, ec.value());
}

}  // namespace synthlabel
