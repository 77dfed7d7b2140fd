// Progress on stderr for long runs: a self-updating line on a terminal, a line every few seconds
// otherwise (logs, CI). Silent when disabled.
#pragma once

#include <chrono>
#include <cstdint>

namespace synthlabel {

class Progress {
 public:
  Progress(std::uint64_t total, bool enabled);
  void update(std::uint64_t done);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::uint64_t m_total;
  bool m_enabled;
  bool m_tty;
  Clock::time_point m_start, m_last;
  bool m_drawn = false;
};

}  // namespace synthlabel
