#include "core/Text.h"

#include <algorithm>
#include <vector>

namespace synthlabel {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggest(std::string_view given, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_d = ~std::size_t{0};
  for (auto c : candidates) {
    const std::size_t d = edit_distance(given, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, given.size() / 3);
  if (!best.empty() && best_d <= limit) return " (did you mean '" + std::string(best) + "'?)";
  std::string out = " (expected one of: ";
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (i) out += ", ";
    out += candidates[i];
  }
  return out + ")";
}

}  // namespace synthlabel
