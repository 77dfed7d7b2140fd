#include "scenes/config/Reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "core/Text.h"
#include "scenes/ConfigSchema.h"

namespace synthlabel::config {

void Reader::check_schema_keys(const YAML::Node& map, const std::string& path, std::string_view schema) {
  const std::vector<std::string_view> allowed = schema_keys(schema);
  if (allowed.empty()) throw ConfigFailure{"internal: no schema for '" + std::string(schema) + "'"};
  check_keys(map, path, std::span<const std::string_view>(allowed));
}

void Reader::check_keys(const YAML::Node& map, const std::string& path, std::initializer_list<std::string_view> allowed) {
  check_keys(map, path, std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

void Reader::check_keys(const YAML::Node& map, const std::string& path, std::span<const std::string_view> allowed) {
  std::map<std::string, int> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) fail(key, path, "keys must be plain names");
    if (!is_valid_utf8(key.Scalar())) fail(key, path, "a key is not valid UTF-8");
    const std::string name = key.Scalar();
    const std::string full = path.empty() ? name : path + "." + name;
    auto [pos, fresh] = seen.emplace(name, key.Mark().line + 1);
    if (!fresh) fail(key, full, "duplicate key (first given on line " + std::to_string(pos->second) + ")");
    bool known = allowed.size() == 0;
    for (auto a : allowed) known = known || a == name;
    if (!known) {
      std::vector<std::string_view> cands(allowed.begin(), allowed.end());
      fail(key, full, "unknown key" + suggest(name, cands));
    }
  }
}

std::string Reader::join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void Reader::expect_map(const YAML::Node& n, const std::string& path) {
  if (!n.IsMap()) fail(n, path, "expected a mapping (key: value lines)");
}

double Reader::number(const YAML::Node& n, const std::string& path) {
  const double v = finite_number(n, path);
  if (std::abs(v) > k_max_config_magnitude) {
    fail(n, path, "expected a number from " + fmt(-k_max_config_magnitude) + " to " + fmt(k_max_config_magnitude) + ", got " + fmt(v));
  }
  return v;
}

double Reader::finite_number(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(n, path, "expected a number");
  double v = 0.0;
  try {
    v = n.as<double>();
  } catch (const YAML::Exception&) {
    fail(n, path, "expected a number, got '" + n.Scalar() + "'");
  }
  if (!std::isfinite(v)) fail(n, path, "expected a finite number, got '" + n.Scalar() + "'");
  return v;
}

double Reader::number(const YAML::Node& n, const std::string& path, double lo, double hi) {
  const double v = finite_number(n, path);
  if (v < lo || v > hi) fail(n, path, "expected a number from " + fmt(lo) + " to " + fmt(hi) + ", got " + fmt(v));
  return v;
}

std::int64_t Reader::integer(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(n, path, "expected an integer");
  try {
    return n.as<std::int64_t>();
  } catch (const YAML::Exception&) {
    fail(n, path, "expected an integer, got '" + n.Scalar() + "'");
  }
}

std::uint64_t Reader::unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) {
  if (!n.IsScalar() || n.Scalar().empty() || n.Scalar()[0] == '-') {
    fail(n, path, "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  std::uint64_t v = 0;
  try {
    v = n.as<std::uint64_t>();
  } catch (const YAML::Exception&) {
    fail(n, path, "expected a whole number, got '" + n.Scalar() + "'");
  }
  if (v < lo || v > hi) {
    fail(n, path, "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                      std::to_string(v));
  }
  return v;
}

bool Reader::boolean(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) fail(n, path, "expected true or false");
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    fail(n, path, "expected true or false, got '" + n.Scalar() + "'");
  }
}

std::string Reader::string(const YAML::Node& n, const std::string& path) { return read_string(*m_doc, n, path); }

std::string read_string(const Document& doc, const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar() || n.Scalar().empty()) doc.fail(n, path, "expected a non-empty string");
  if (!is_valid_utf8(n.Scalar())) doc.fail(n, path, "text is not valid UTF-8");
  // A line break or tab in a name would split the line-based formats' lines (KITTI, voc/labels.txt).
  for (char ch : n.Scalar()) {
    if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7f) doc.fail(n, path, "text holds a control character (a line break or tab, say); names are one line");
  }
  return n.Scalar();
}

std::pair<std::string, YAML::Node> Reader::one_key(const YAML::Node& n, const std::string& path, std::initializer_list<std::string_view> kinds, const std::string& expected) {
  if (!n.IsMap() || n.size() != 1) fail(n, path, expected);
  check_keys(n, path, kinds);
  auto it = n.begin();
  return {it->first.Scalar(), it->second};
}

Reader::DistForm Reader::dist_form(const YAML::Node& n, const std::string& path, std::initializer_list<std::string_view> kinds, const std::string& expected) {
  if (n.IsMap() && n.size() == 2 && n["choice"] && n["weights"]) {
    check_keys(n, path, {"choice", "weights"});
    return {"choice", n["choice"], n["weights"], true};
  }
  auto [kind, body] = one_key(n, path, kinds, expected);
  return {kind, body, YAML::Node(), false};
}

std::vector<double> Reader::weights(const YAML::Node& n, const std::string& path, std::size_t count) {
  const auto w = number_list(n, path, count);
  double sum = 0;
  for (double x : w) {
    if (x < 0) fail(n, path, "weights must be >= 0, got " + fmt(x));
    sum += x;
  }
  if (!(sum > 0)) fail(n, path, "weights must not all be 0");
  return w;
}

std::vector<double> Reader::number_list(const YAML::Node& n, const std::string& path, std::size_t exact) {
  if (!n.IsSequence() || (exact != 0 && n.size() != exact) || n.size() == 0) {
    fail(n, path, exact ? "expected a list of " + std::to_string(exact) + (exact == 1 ? " number" : " numbers")
                       : "expected a non-empty list");
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < n.size(); ++i) out.push_back(number(n[i], path + "[" + std::to_string(i) + "]"));
  return out;
}

ScalarDist Reader::scalar_dist(const YAML::Node& n, const std::string& path, double lo, double hi) {
  const bool bounded = lo > -k_inf || hi < k_inf;  // by the key itself
  // Every drawn value stays within k_max_config_magnitude: a draw of 1e308 would become inf (and
  // null in the records) once it reaches the scene's floats.
  lo = std::max(lo, -k_max_config_magnitude);
  hi = std::min(hi, k_max_config_magnitude);
  auto in_range = [&](const YAML::Node& at, double v) {
    if (v < lo || v > hi) {
      fail(at, path, "value " + fmt(v) + " is outside the allowed range [" + fmt(lo) + ", " + fmt(hi) + "]");
    }
  };
  if (n.IsScalar()) {
    const double v = number(n, path);
    in_range(n, v);
    return v;
  }
  const auto [kind, body, weights_node, has_weights] = dist_form(
      n, path, {"uniform", "loguniform", "normal", "truncated_normal", "choice", "sweep", "sequence"}, k_scalar_forms);
  const std::string sub = join(path, kind);
  if (kind == "uniform" || kind == "loguniform" || kind == "sweep") {
    auto v = number_list(body, sub, 2);
    if (kind == "sweep" && m_first_sweep.empty()) m_first_sweep = where(n) + ": " + path;
    if (kind != "sweep" && v[0] > v[1]) fail(body, sub, "min " + fmt(v[0]) + " is greater than max " + fmt(v[1]));
    in_range(body, v[0]);
    in_range(body, v[1]);
    if (kind == "sweep") return Sweep{v[0], v[1]};
    if (kind == "uniform") return Uniform{v[0], v[1]};
    if (!(v[0] > 0)) fail(body, sub, "a log-uniform range must be positive, got min " + fmt(v[0]));
    return LogUniform{v[0], v[1]};
  }
  if (kind == "normal") {
    auto v = number_list(body, sub, 2);
    if (v[1] < 0.0) fail(body, sub, "stddev must be >= 0, got " + fmt(v[1]));
    if (bounded) {
      fail(body, sub, "a normal distribution is unbounded; use truncated_normal: [mean, stddev, " + fmt(lo) + ", " +
                          fmt(hi) + "] or uniform here");
    }
    return Normal{v[0], v[1]};
  }
  if (kind == "truncated_normal") {
    auto v = number_list(body, sub, 4);
    if (!(v[1] > 0.0)) fail(body, sub, "stddev must be > 0, got " + fmt(v[1]));
    if (v[2] > v[3]) fail(body, sub, "min " + fmt(v[2]) + " is greater than max " + fmt(v[3]));
    in_range(body, v[2]);
    in_range(body, v[3]);
    // Sampled by rejection: refuse intervals so far in a tail that it would take > 1000 draws a value.
    auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - v[0]) / (v[1] * std::sqrt(2.0))); };
    if (cdf(v[3]) - cdf(v[2]) < 1e-3) {
      fail(body, sub, "the interval [" + fmt(v[2]) + ", " + fmt(v[3]) + "] holds less than 0.1% of this normal; "
                      "use uniform there");
    }
    return TruncatedNormal{v[0], v[1], v[2], v[3]};
  }
  auto v = number_list(body, sub, 0);
  for (double x : v) in_range(body, x);
  if (kind == "sequence") return Sequence{v};
  Choice c{v, {}};
  if (has_weights) c.weights = weights(weights_node, join(path, "weights"), v.size());
  return c;
}

IntDist Reader::int_dist(const YAML::Node& n, const std::string& path, std::int64_t lo, std::int64_t hi) {
  auto check = [&](const YAML::Node& at, std::int64_t v) {
    if (v < lo || v > hi) {
      fail(at, path, "expected a count from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                         std::to_string(v));
    }
    return v;
  };
  if (n.IsScalar()) return check(n, integer(n, path));
  const auto [kind, body, weights_node, has_weights] =
      dist_form(n, path, {"range", "choice"},
                "expected a whole number or {range: [lo, hi]} (inclusive) or {choice: [a, b, ...], weights: [...]}");
  const std::string sub = join(path, kind);
  if (!body.IsSequence() || body.size() == 0) fail(body, sub, "expected a non-empty list of whole numbers");
  std::vector<std::int64_t> v;
  for (std::size_t i = 0; i < body.size(); ++i) {
    v.push_back(check(body[i], integer(body[i], sub + "[" + std::to_string(i) + "]")));
  }
  if (kind == "range") {
    if (v.size() != 2) fail(body, sub, "expected [lo, hi]");
    if (v[0] > v[1]) fail(body, sub, "min " + std::to_string(v[0]) + " is greater than max " + std::to_string(v[1]));
    return IntRange{v[0], v[1]};
  }
  IntChoice c{v, {}};
  if (has_weights) c.weights = weights(weights_node, join(path, "weights"), v.size());
  return c;
}

Vec3Dist Reader::vec3_dist(const YAML::Node& n, const std::string& path, double lo, double hi) {
  if (n.IsSequence()) {
    if (n.size() != 3) fail(n, path, "expected a list of 3 values [x, y, z]");
    return {scalar_dist(n[0], path + "[0]", lo, hi), scalar_dist(n[1], path + "[1]", lo, hi),
            scalar_dist(n[2], path + "[2]", lo, hi)};
  }
  if (n.IsMap()) {
    auto [kind, body] = one_key(n, path, {"uniform"}, "expected [x, y, z] or {uniform: [[x0, y0, z0], [x1, y1, z1]]}");
    const std::string sub = join(path, kind);
    if (!body.IsSequence() || body.size() != 2) fail(body, sub, "expected [[x0, y0, z0], [x1, y1, z1]]");
    auto a = number_list(body[0], sub + "[0]", 3);
    auto b = number_list(body[1], sub + "[1]", 3);
    Vec3Dist out;
    for (std::size_t i = 0; i < 3; ++i) {
      if (a[i] > b[i]) fail(body, sub, "min " + fmt(a[i]) + " is greater than max " + fmt(b[i]) + " on axis " + "xyz"[i]);
      if (a[i] < lo || b[i] > hi) fail(body, sub, "values must lie in [" + fmt(lo) + ", " + fmt(hi) + "]");
      out[i] = Uniform{a[i], b[i]};
    }
    return out;
  }
  fail(n, path, "expected [x, y, z] or {uniform: [[x0, y0, z0], [x1, y1, z1]]}");
}

std::string Reader::fmt(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  const bool plain = v == 0.0 || (std::abs(v) >= 1e-6 && std::abs(v) < 1e15);
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v, plain ? std::chars_format::fixed : std::chars_format::scientific).ptr);
}

void Reader::check_text(const YAML::Node& n, const std::string& path) {
  if (n.IsScalar() && !is_valid_utf8(n.Scalar())) fail(n, path, "text is not valid UTF-8");
  if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i) check_text(n[i], path + "[" + std::to_string(i) + "]");
  } else if (n.IsMap()) {
    for (const auto& kv : n) check_text(kv.second, join(path, kv.first.IsScalar() ? kv.first.Scalar() : "?"));
  }
}

}  // namespace synthlabel::config
