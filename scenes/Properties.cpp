// Properties: getters over one randomizer entry, validated by the same Reader as the built-in
// sections (scenes/config/Reader.h), and its description mode for `synthlabel randomizers NAME`.
#include "scenes/Properties.h"

#include <cmath>
#include <cstdlib>

#include "core/Text.h"
#include "scenes/config/PropertiesImpl.h"

namespace synthlabel {

Properties::Properties(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

const std::string& Properties::type() const { return m_impl->type; }
const std::string& Properties::path() const { return m_impl->path; }
std::string Properties::where() const { return m_impl->reader->where(m_impl->node["type"]); }

namespace {
// The value at `key`, marking the key as known; an undefined node when absent.
YAML::Node value_at(const Properties::Impl& p, std::string_view key) {
  p.asked.emplace(key);
  const YAML::Node& node = p.node;
  return node[std::string(key)];
}
std::string key_path(const Properties::Impl& p, std::string_view key) { return p.path + "." + std::string(key); }
}  // namespace

namespace {
// Defaults as config text, for `synthlabel randomizers NAME`.
std::string fmt_dist(const ScalarDist& d) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>) return config::Reader::fmt(v);
        else if constexpr (std::is_same_v<T, Uniform>) return "{uniform: [" + config::Reader::fmt(v.lo) + ", " + config::Reader::fmt(v.hi) + "]}";
        else if constexpr (std::is_same_v<T, LogUniform>) return "{loguniform: [" + config::Reader::fmt(v.lo) + ", " + config::Reader::fmt(v.hi) + "]}";
        else if constexpr (std::is_same_v<T, Normal>) return "{normal: [" + config::Reader::fmt(v.mean) + ", " + config::Reader::fmt(v.stddev) + "]}";
        else return "(a distribution)";
      },
      d);
}
std::string fmt_range(double lo, double hi) {
  std::string out = "[";  // appended piece by piece: GCC 12 misreads "[" + std::string as overlapping (-Wrestrict)
  out += config::Reader::fmt(lo);
  out += ", ";
  out += config::Reader::fmt(hi);
  out += "]";
  return out;
}
// Called only when describing (`if (m_impl->described)`), so a normal load formats nothing.
void describe(const Properties::Impl& p, std::string_view key, std::string kind, std::string fallback, std::string range) {
  p.described->push_back({std::string(key), std::move(kind), std::move(fallback), std::move(range)});
}
}  // namespace

// Describing, every key is "given" (so a factory's "needs one of" checks let it go on to ask for all).
bool Properties::has(std::string_view key) const { return m_impl->described != nullptr || value_at(*m_impl, key).IsDefined(); }

Properties Properties::describing(const std::string& type, std::vector<ParamInfo>& out) {
  auto impl = std::make_shared<Impl>();
  impl->reader = std::make_shared<config::Reader>(std::make_shared<config::Document>("randomizers " + type, std::filesystem::path()));
  impl->node = YAML::Node(YAML::NodeType::Map);
  impl->node["type"] = type;
  impl->path = type;
  impl->type = type;
  impl->described = &out;
  return Properties(std::move(impl));
}

ScalarDist Properties::scalar(std::string_view key, ScalarDist fallback, double lo, double hi) const {
  if (m_impl->described) describe(*m_impl, key, "number or distribution", fmt_dist(fallback), fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->reader->scalar_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

Vec3Dist Properties::vec3(std::string_view key, Vec3Dist fallback, double lo, double hi) const {
  if (m_impl->described) describe(*m_impl, key, "[x, y, z] of numbers or distributions",
           "[" + fmt_dist(fallback[0]) + ", " + fmt_dist(fallback[1]) + ", " + fmt_dist(fallback[2]) + "]", fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->reader->vec3_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

IntDist Properties::count(std::string_view key, IntDist fallback, std::int64_t lo, std::int64_t hi) const {
  if (m_impl->described) describe(*m_impl, key, "count: whole number, {range: [lo, hi]} or {choice: [...]}",
           std::holds_alternative<std::int64_t>(fallback) ? std::to_string(std::get<std::int64_t>(fallback)) : "(a distribution)",
           "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->reader->int_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

double Properties::number(std::string_view key, double fallback, double lo, double hi) const {
  if (m_impl->described) describe(*m_impl, key, "number", config::Reader::fmt(fallback), fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const double v = m_impl->reader->number(n, key_path(*m_impl, key));
  if (v < lo || v > hi) {
    m_impl->reader->fail(n, key_path(*m_impl, key),
                         "expected a number in [" + config::Reader::fmt(lo) + ", " + config::Reader::fmt(hi) + "], got " + config::Reader::fmt(v));
  }
  return v;
}

std::int64_t Properties::integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
  if (m_impl->described) describe(*m_impl, key, "whole number", std::to_string(fallback), "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const std::int64_t v = m_impl->reader->integer(n, key_path(*m_impl, key));
  if (v < lo || v > hi) {
    m_impl->reader->fail(n, key_path(*m_impl, key),
                         "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                             std::to_string(v));
  }
  return v;
}

bool Properties::boolean(std::string_view key, bool fallback) const {
  if (m_impl->described) describe(*m_impl, key, "true or false", fallback ? "true" : "false", "");
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->reader->boolean(n, key_path(*m_impl, key)) : fallback;
}

std::string Properties::choice(std::string_view key, std::string_view fallback, std::vector<std::string_view> allowed) const {
  if (m_impl->described) {
    std::string values;
    for (auto a : allowed) values += (values.empty() ? "" : " | ") + std::string(a);
    describe(*m_impl, key, "one of", std::string(fallback), values);
  }
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return std::string(fallback);
  const std::string v = m_impl->reader->string(n, key_path(*m_impl, key));
  for (auto a : allowed) {
    if (a == v) return v;
  }
  m_impl->reader->fail(n, key_path(*m_impl, key), "unknown value '" + v + "'" + suggest(v, allowed));
}

std::vector<std::string> Properties::names(std::string_view key) const {
  if (m_impl->described) describe(*m_impl, key, "a name or a list of names", "", "");
  const YAML::Node n = value_at(*m_impl, key);
  std::vector<std::string> out;
  if (!n.IsDefined()) return out;
  const std::string path = key_path(*m_impl, key);
  if (n.IsScalar()) {
    out.push_back(m_impl->reader->string(n, path));
  } else if (n.IsSequence() && n.size() > 0) {
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(m_impl->reader->string(n[i], path + "[" + std::to_string(i) + "]"));
  } else {
    m_impl->reader->fail(n, path, "expected a name or a non-empty list of names");
  }
  return out;
}

std::pair<double, double> Properties::interval(std::string_view key, std::pair<double, double> fallback, double lo,
                                               double hi) const {
  if (m_impl->described) describe(*m_impl, key, "[a, b] with a <= b", fmt_range(fallback.first, fallback.second), fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const std::string path = key_path(*m_impl, key);
  const auto v = m_impl->reader->number_list(n, path, 2);
  if (v[0] > v[1]) m_impl->reader->fail(n, path, "min " + config::Reader::fmt(v[0]) + " is greater than max " + config::Reader::fmt(v[1]));
  if (v[0] < lo || v[1] > hi) {
    m_impl->reader->fail(n, path, "values must lie in [" + config::Reader::fmt(lo) + ", " + config::Reader::fmt(hi) + "]");
  }
  return {v[0], v[1]};
}

std::filesystem::path Properties::file_path(std::string_view key) const {
  if (m_impl->described) describe(*m_impl, key, "a path, relative to the config", "", "");
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return {};
  const std::filesystem::path rel = m_impl->reader->string(n, key_path(*m_impl, key));
  return rel.is_absolute() ? rel : (m_impl->reader->source_of(n).second / rel).lexically_normal();
}

std::string Properties::where_of(std::string_view key) const {
  const YAML::Node& node = m_impl->node;
  const YAML::Node n = node[std::string(key)];
  return m_impl->reader->where(n.IsDefined() ? n : node) + ": " + key_path(*m_impl, key);
}

std::vector<std::string> Properties::entry_names(std::string_view key) const {
  if (m_impl->described) describe(*m_impl, key, "map of names to parameter maps", "-", "-");
  const YAML::Node n = value_at(*m_impl, key);
  std::vector<std::string> out;
  if (!n.IsDefined() || m_impl->described) return out;
  if (!n.IsMap()) m_impl->reader->fail(n, key_path(*m_impl, key), "expected a map of names to parameter maps");
  for (const auto& kv : n) {
    if (!kv.second.IsMap()) {
      m_impl->reader->fail(kv.second, key_path(*m_impl, key) + "." + kv.first.Scalar(), "expected a map of parameters");
    }
    out.push_back(kv.first.Scalar());
  }
  return out;
}

Properties Properties::entry(std::string_view key, const std::string& name) const {
  auto impl = std::make_shared<Impl>();
  impl->reader = m_impl->reader;
  impl->node = m_impl->node[std::string(key)][name];
  impl->path = key_path(*m_impl, key) + "." + name;
  impl->type = m_impl->type;
  return Properties(std::move(impl));
}

void Properties::fail(std::string_view key, const std::string& what) const {
  const YAML::Node& node = m_impl->node;
  const YAML::Node n = node[std::string(key)];
  m_impl->reader->fail(n.IsDefined() ? n : node, key_path(*m_impl, key), what);
}

void Properties::check_unused() const {
  std::vector<std::string_view> known(m_impl->asked.begin(), m_impl->asked.end());
  known.push_back("type");
  for (const auto& kv : m_impl->node) {
    const std::string& k = kv.first.Scalar();
    if (k == "type" || m_impl->asked.count(k)) continue;
    m_impl->reader->fail(kv.first, key_path(*m_impl, k),
                         "unknown key for randomizer '" + m_impl->type + "'" + suggest(k, known));
  }
}

namespace {
nlohmann::ordered_json yaml_to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& kv : n) j[kv.first.Scalar()] = yaml_to_json(kv.second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& c : n) j.push_back(yaml_to_json(c));
    return j;
  }
  if (!n.IsScalar()) return nullptr;
  // Numbers as numbers, so the record reads like the config; everything else as text.
  const std::string& s = n.Scalar();
  char* end = nullptr;
  const long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return i;
  const double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0' && std::isfinite(d)) return d;
  if (s == "true" || s == "false") return s == "true";
  return s;
}
}  // namespace

nlohmann::ordered_json Properties::to_json() const { return yaml_to_json(m_impl->node); }
std::string Properties::first_sweep() const { return m_impl->reader->first_sweep(); }

}  // namespace synthlabel
