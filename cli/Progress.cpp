#include "cli/Progress.h"

#include <unistd.h>

#include <cstdio>

namespace synthlabel {

Progress::Progress(std::uint64_t total, bool enabled)
    : m_total(total), m_enabled(enabled), m_tty(isatty(STDERR_FILENO) != 0), m_start(Clock::now()), m_last(m_start) {}

void Progress::update(std::uint64_t done) {
  if (!m_enabled) return;
  const auto now = Clock::now();
  const double since_last = std::chrono::duration<double>(now - m_last).count();
  if (since_last < (m_tty ? 0.2 : 5.0) && done != m_total) return;
  m_last = now;
  const double elapsed = std::chrono::duration<double>(now - m_start).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(m_total - done) / rate : 0.0;
  std::fprintf(stderr, "%sframe %llu/%llu  %.1f frames/s  ETA %.0fs%s", m_tty ? "\r" : "",
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(m_total), rate, eta,
               m_tty ? "   " : "\n");
  m_drawn = true;
}

void Progress::finish() {
  if (m_enabled && m_tty && m_drawn) std::fputc('\n', stderr);
}

}  // namespace synthlabel
