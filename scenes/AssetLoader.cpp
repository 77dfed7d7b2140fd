// load_mesh_asset: the importer (AssetImport.cpp) in a child process with CPU, memory and
// wall-clock limits, its answer serialized over a pipe and checked size by size, so a hostile or
// broken model file cannot crash, hang or exhaust the generator.
#include "scenes/AssetLoader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "core/FileIo.h"

namespace synthlabel {
namespace {

// The child's answer on the pipe: 'E' + message, or 'M' + the mesh: base colour, then vertices,
// indices, materials, parts (each a count and the trivially copyable elements), then the images
// (count; each: name length and bytes, width, height, texels). The parent checks every size.
template <class T>
void put(std::string& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
template <class T>
void put_all(std::string& out, const std::vector<T>& v) {
  put(out, static_cast<std::uint64_t>(v.size()));
  if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string serialize(const Mesh& m) {
  std::string out;
  put(out, m.base_color);
  put(out, m.from_file);
  put_all(out, m.vertices);
  put_all(out, m.indices);
  put_all(out, m.materials);
  put_all(out, m.parts);
  put(out, static_cast<std::uint64_t>(m.images.size()));
  for (const MeshImage& i : m.images) {
    std::vector<char> name(i.name.begin(), i.name.end());
    put_all(out, name);
    put(out, i.width);
    put(out, i.height);
    put_all(out, i.rgba);
  }
  return out;
}

// Reads what serialize() wrote; false on any inconsistency.
class Reader {
 public:
  explicit Reader(std::string_view data) : m_data(data) {}
  template <class T>
  bool get(T& v) {
    if (m_data.size() < sizeof v) return false;
    std::memcpy(&v, m_data.data(), sizeof v);
    m_data.remove_prefix(sizeof v);
    return true;
  }
  template <class T>
  bool get_all(std::vector<T>& v, std::uint64_t limit) {
    std::uint64_t n = 0;
    if (!get(n) || n > limit || n > m_data.size() / sizeof(T)) return false;
    v.resize(n);
    if (n > 0) std::memcpy(v.data(), m_data.data(), n * sizeof(T));
    m_data.remove_prefix(n * sizeof(T));
    return true;
  }
  bool done() const { return m_data.empty(); }

 private:
  std::string_view m_data;
};

bool deserialize(std::string_view data, Mesh& m) {
  Reader r(data);
  std::uint64_t images = 0;
  if (!r.get(m.base_color) || !r.get(m.from_file) || !r.get_all(m.vertices, UINT32_MAX) || !r.get_all(m.indices, UINT32_MAX) ||
      !r.get_all(m.materials, 1u << 20) || !r.get_all(m.parts, 1u << 20) || !r.get(images) || images > k_max_asset_images) {
    return false;
  }
  for (std::uint64_t k = 0; k < images; ++k) {
    MeshImage i;
    std::vector<char> name;
    if (!r.get_all(name, 4096) || !r.get(i.width) || !r.get(i.height) || !r.get_all(i.rgba, 1ull << 32)) return false;
    if (i.width == 0 || i.height == 0 || i.width > 16384 || i.height > 16384 ||
        i.rgba.size() != std::size_t{i.width} * i.height * 4) {
      return false;
    }
    i.name.assign(name.begin(), name.end());
    m.images.push_back(std::move(i));
  }
  // Every index inside the vertices, every part inside the indices, every map an image.
  for (std::uint32_t idx : m.indices) {
    if (idx >= m.vertices.size()) return false;
  }
  for (const MeshPart& p : m.parts) {
    if (p.material >= m.materials.size() || std::uint64_t{p.first_index} + p.index_count > m.indices.size()) return false;
  }
  for (const Material& mat : m.materials) {
    for (std::int32_t map : {mat.base_color_map, mat.metallic_roughness_map, mat.normal_map, mat.occlusion_map, mat.emissive_map}) {
      if (map < -1 || map >= static_cast<std::int32_t>(m.images.size())) return false;
    }
  }
  return r.done();
}

void write_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(3);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

unsigned long cpu_seconds_for(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return k_asset_cpu_base_seconds + (ec ? 0 : k_asset_cpu_seconds_per_mib * (size >> 20));
}

unsigned long wall_seconds_for(const std::filesystem::path& path) { return k_asset_wall_per_cpu_second * cpu_seconds_for(path); }

[[noreturn]] void child_import(int fd, const std::filesystem::path& path, const AssetOptions& options, pid_t parent) {
  // Ends with synthlabel, however synthlabel ends (even kill -9); and after its wall-clock limit
  // (SIGALRM: a read that blocks uses no CPU, so the CPU limit alone would never fire).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) _exit(4);  // the parent died before prctl
  ::alarm(static_cast<unsigned>(wall_seconds_for(path)));
  // Whatever the importer prints (some of Assimp's readers write debug lines straight to stdout or
  // stderr) stays out of synthlabel's one-line messages: the answer travels on the pipe only.
  if (const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC); null_fd >= 0) {
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::close(null_fd);
  }
#if !defined(__SANITIZE_ADDRESS__)
  // (AddressSanitizer reserves terabytes of address space, so no address-space limit under it.)
  const rlimit mem{k_asset_memory_limit, k_asset_memory_limit};
  setrlimit(RLIMIT_AS, &mem);
#endif
  const rlimit cpu{cpu_seconds_for(path), cpu_seconds_for(path) + 5};
  setrlimit(RLIMIT_CPU, &cpu);
  auto r = load_mesh_asset_in_process(path, options);
  if (!r) {
    write_all(fd, "E", 1);
    write_all(fd, r.error().message.data(), r.error().message.size());
  } else {
    const std::string body = serialize(*r);
    write_all(fd, "M", 1);
    write_all(fd, body.data(), body.size());
  }
  ::close(fd);
  _exit(0);  // no destructors or atexit handlers of the parent's state
}

}  // namespace

Result<Mesh> load_mesh_asset(const std::filesystem::path& path, const AssetOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return asset_error(path, "asset file not found");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return asset_error(path, std::string("cannot start the importer: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return asset_error(path, std::string("cannot start the importer: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_import(fds[1], path, options, parent);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[1 << 16];
  // The parent's own wall-clock limit, a little past the child's alarm, in case the alarm is lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wall_seconds_for(path) + 5);
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fds[0], POLLIN, 0};
    const int ready = left > 0 ? ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000))) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (left > 0) continue;
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out || (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)) {
    return asset_error(path, "the importer took more than " + std::to_string(wall_seconds_for(path)) +
                                 " s (wall clock) on this file and was stopped (a file that never ends, such as a FIFO?)");
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL) {
      return asset_error(path, "the importer used more than " + std::to_string(cpu_seconds_for(path)) +
                                   " s of CPU on this file and was stopped (an endless loop on malformed data?)");
    }
    return asset_error(path, std::string("the importer crashed on this file (signal ") + std::to_string(sig) + ", " +
                                 strsignal(sig) + "): the file is malformed");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || reply.empty()) {
    return asset_error(path, "the importer failed on this file (out of memory, or malformed)");
  }
  if (reply[0] == 'E') return make_error(ExitCode::asset, reply.substr(1));
  Mesh mesh;
  mesh.name = path.string();
  if (reply[0] != 'M' || !deserialize(std::string_view(reply).substr(1), mesh)) {
    return asset_error(path, "the importer's reply is damaged");
  }
  compute_bounds(mesh);
  return mesh;
}

}  // namespace synthlabel
