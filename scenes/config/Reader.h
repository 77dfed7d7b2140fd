// Typed reads of one config node, each checked with its key path and range and failing as
// "FILE:LINE:COL: KEY.PATH: what was expected": numbers, whole numbers, strings, booleans,
// distributions (ScalarDist, IntDist, Vec3Dist), weights, and the key checks (unknown keys against
// the schema table of scenes/ConfigSchema.h, with a suggestion; duplicate keys). Built-in sections
// (scenes/config/*Schema.cpp) and randomizer plugins (scenes/Properties.cpp) read through it alike.
#pragma once

#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <string_view>

#include "scenes/config/Document.h"

namespace synthlabel::config {

inline constexpr double k_inf = std::numeric_limits<double>::infinity();

// A non-empty, valid UTF-8, one-line string (the rule Reader::string applies), for the document's
// own reads (include names).
std::string read_string(const Document& doc, const YAML::Node& n, const std::string& path);

class Reader {
 public:
  explicit Reader(std::shared_ptr<Document> doc) : m_doc(std::move(doc)) {}

  Document& doc() { return *m_doc; }
  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const { m_doc->fail(n, key, what); }
  std::string where(const YAML::Node& n) const { return m_doc->where(n); }
  std::pair<std::string, std::filesystem::path> source_of(const YAML::Node& n) const { return m_doc->source_of(n); }
  // "FILE:LINE:COL: KEY" of the first {sweep: ...} read, or "".
  const std::string& first_sweep() const { return m_first_sweep; }

  // Keys of the mapping at schema path `schema` (scenes/ConfigSchema.h: the table the JSON Schema is
  // made from, so loader and schema agree on every key).
  void check_schema_keys(const YAML::Node& map, const std::string& path, std::string_view schema);

  void check_keys(const YAML::Node& map, const std::string& path, std::initializer_list<std::string_view> allowed);

  // Fails on keys not in `allowed` (with a suggestion) and on duplicate keys; an empty `allowed`
  // checks duplicates only.
  void check_keys(const YAML::Node& map, const std::string& path, std::span<const std::string_view> allowed);

  static std::string join(const std::string& path, std::string_view key);

  void expect_map(const YAML::Node& n, const std::string& path);

  double number(const YAML::Node& n, const std::string& path);

  double finite_number(const YAML::Node& n, const std::string& path);

  double number(const YAML::Node& n, const std::string& path, double lo, double hi);

  std::int64_t integer(const YAML::Node& n, const std::string& path);

  std::uint64_t unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi);

  bool boolean(const YAML::Node& n, const std::string& path);

  std::string string(const YAML::Node& n, const std::string& path);

  // The single key of a one-key mapping such as {uniform: [0, 1]}; fails otherwise.
  std::pair<std::string, YAML::Node> one_key(const YAML::Node& n, const std::string& path, std::initializer_list<std::string_view> kinds, const std::string& expected);

  // {choice: [...], weights: [...]}: the kind "choice", its body, and the weights node (or a null node).
  // Any other distribution is a one-key mapping.
  struct DistForm {
    std::string kind;
    YAML::Node body, weights;
    bool has_weights = false;  // (a default YAML::Node is a defined null node: it tests true)
  };
  DistForm dist_form(const YAML::Node& n, const std::string& path, std::initializer_list<std::string_view> kinds, const std::string& expected);

  std::vector<double> weights(const YAML::Node& n, const std::string& path, std::size_t count);

  std::vector<double> number_list(const YAML::Node& n, const std::string& path, std::size_t exact);

  static constexpr const char* k_scalar_forms =
      "expected a number or a distribution: {uniform: [lo, hi]}, {loguniform: [lo, hi]}, {normal: [mean, stddev]}, "
      "{truncated_normal: [mean, stddev, lo, hi]}, {choice: [a, b, ...], weights: [...]}, {sweep: [from, to]}, "
      "{sequence: [a, b, ...]}";

  ScalarDist scalar_dist(const YAML::Node& n, const std::string& path, double lo = -k_inf, double hi = k_inf);

  IntDist int_dist(const YAML::Node& n, const std::string& path, std::int64_t lo, std::int64_t hi);

  Vec3Dist vec3_dist(const YAML::Node& n, const std::string& path, double lo = -k_inf, double hi = k_inf);

  // Key `n` of a keyframe list (objects' path, the camera's target_path) at `path`, schema entry
  // `schema`: a map with t (seconds, 0..1e6, after `previous`'s t when there is one) and position (a
  // vec3 distribution), read into `key`; `example` shows a key when either is missing. The key's
  // other fields are the caller's.
  template <typename Key>
  void keyframe(const YAML::Node& n, const std::string& path, std::string_view schema, std::string_view example,
                const Key* previous, Key& key) {
    expect_map(n, path);
    check_schema_keys(n, path, schema);
    if (!n["t"] || !n["position"]) fail(n, path, "a key needs t (seconds) and position, e.g. " + std::string(example));
    key.t = number(n["t"], path + ".t", 0.0, 1e6);
    if (previous != nullptr && !(key.t > previous->t)) fail(n["t"], path + ".t", "keys must come in increasing t");
    key.position = vec3_dist(n["position"], path + ".position");
  }

  // The shortest text that reads back as `v`: plain digits from 1e-6 to 1e15 (0.000001, 1000000),
  // scientific beyond (1e+308, not 309 digits).
  static std::string fmt(double v);


  // Every scalar below `n` valid UTF-8 (a config's text goes into JSON records as given).
  void check_text(const YAML::Node& n, const std::string& path);

 private:
  std::shared_ptr<Document> m_doc;
  std::string m_first_sweep;
};

}  // namespace synthlabel::config
