// Error values shared by every module. User-facing failures (config, assets, I/O, device) travel as
// `Result<T>` values carrying an `Error` whose kind maps to a documented process exit code; libraries
// never call exit(). The message is one line a user can act on: it names the file (and for configs
// `file:line:col: key:`) and what was expected.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace synthlabel {

// Process exit codes (documented in README.md, "Exit codes").
enum class ExitCode : int {
  ok = 0,
  internal = 1,  // a bug: an invariant did not hold
  usage = 2,     // bad command line or config (syntax, unknown key, wrong type, bad value)
  asset = 3,     // an asset file is missing, unreadable or malformed
  io = 4,        // the output could not be written (exists, permissions, disk full)
  device = 5,    // no usable Vulkan device, validation error, device lost, GPU out of memory
  defects = 6,   // synthlabel check found defects in a dataset
  differs = 7,   // synthlabel diff: the datasets differ beyond the thresholds
};

struct Error {
  ExitCode code = ExitCode::internal;
  std::string message;
};

inline Error make_error(ExitCode code, std::string message) { return Error{code, std::move(message)}; }

// Result<T>: either a T or an Error. Minimal by design (C++20 has no std::expected).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

// Result<void>
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace synthlabel

// Propagate an error from an expression returning Result<T>; evaluates to nothing.
#define SL_TRY_STATUS(expr)                                  \
  do {                                                       \
    auto sl_try_status_ = (expr);                            \
    if (!sl_try_status_.ok()) return sl_try_status_.error(); \
  } while (0)

// Assigns the value of an expression returning Result<T> to `lhs`, or propagates its error.
#define SL_TRY_ASSIGN(lhs, expr)                             \
  do {                                                       \
    auto sl_try_assign_ = (expr);                            \
    if (!sl_try_assign_.ok()) return sl_try_assign_.error(); \
    lhs = std::move(sl_try_assign_).value();                 \
  } while (0)
