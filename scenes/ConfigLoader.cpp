#include "scenes/ConfigLoader.h"

#include <glob.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>

#include "core/FileIo.h"
#include "core/Text.h"
#include "scenes/AssetLoader.h"
#include "scenes/ConfigSchema.h"
#include "scenes/Properties.h"

namespace synthlabel {
namespace {

constexpr double k_inf = std::numeric_limits<double>::infinity();

// Thrown inside the parser, caught once at the top and turned into an Error value.
using ConfigFailure = ConfigError;

class Parser;

}  // namespace

struct Properties::Impl {
  std::shared_ptr<Parser> parser;  // for positions in included files and overrides
  YAML::Node node;                 // the entry's mapping
  std::string path;                // "randomizers[i]"
  std::string type;
  mutable std::set<std::string, std::less<>> asked;  // keys the factory asked for
  std::vector<ParamInfo>* described = nullptr;       // Properties::describing: what was asked, recorded
};

namespace {

class Parser : public std::enable_shared_from_this<Parser> {
 public:
  Parser(std::string file, std::filesystem::path base_dir) : m_file(std::move(file)), m_base(std::move(base_dir)) {}

  const std::string& first_sweep() const { return m_first_sweep; }

  // With --asset-root: includes must lie inside one of these folders (lies_inside).
  void confine_includes(std::vector<std::filesystem::path> roots) { m_include_roots = std::move(roots); }

  // Counts `doc`'s values with aliases expanded against the whole config's budget; fails (naming
  // `what`) past k_max_config_values, or when aliases nest too deep.
  void charge(const YAML::Node& doc, const std::string& what) {
    if (!count_values(doc, 0)) {
      throw ConfigFailure{what + ": the config expands to more than " + std::to_string(k_max_config_values) +
                          " values (YAML aliases repeat what they name, or nest too deep); a scene config needs a few thousand"};
    }
  }

  std::string where(const YAML::Node& n) const {
    // A node that came from a command-line override is named by the override, not a file position.
    for (const auto& [label, root] : m_overrides) {
      if (contains(root, n)) return label;
    }
    const YAML::Mark m = n.Mark();
    const std::string file = source_of(n).first;
    if (m.is_null()) return file;
    return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }

  // The file a node was read from (an included file, or the config itself) and that file's folder.
  std::pair<std::string, std::filesystem::path> source_of(const YAML::Node& n) const {
    for (const auto& inc : m_includes) {
      if (contains(inc.root, n)) return {inc.name, inc.dir};
    }
    return {m_file, m_base};
  }

  // Reads `path` and the files it includes (depth first, in order), merged so that later files and
  // finally `path` itself win: mappings merge key by key, anything else is replaced.
  YAML::Node load_with_includes(const YAML::Node& root, const std::filesystem::path& dir, std::vector<std::string>& stack) {
    if (!root.IsMap() || !root["include"]) return root;
    const YAML::Node inc = root["include"];
    std::vector<YAML::Node> names;
    if (inc.IsScalar()) {
      names.push_back(inc);
    } else if (inc.IsSequence()) {
      for (const auto& i : inc) names.push_back(i);
    } else {
      fail(inc, "include", "expected a file name or a list of file names");
    }
    YAML::Node merged;
    for (const auto& name_node : names) {
      const std::filesystem::path rel = string(name_node, "include");
      const auto file = (rel.is_absolute() ? rel : dir / rel).lexically_normal();
      for (const auto& open : stack) {
        if (open == file.string()) fail(name_node, "include", "include cycle: " + open + " includes itself");
      }
      if (stack.size() > 8) fail(name_node, "include", "includes nested more than 8 deep");  // stack[0] is the config
      if (++m_documents > k_max_config_documents) {
        fail(name_node, "include", "more than " + std::to_string(k_max_config_documents) +
                                       " files included in all (each include of a file counts); a scene config needs a few");
      }
      std::error_code ec;
      if (!m_include_roots.empty()) {
        if (std::none_of(m_include_roots.begin(), m_include_roots.end(), [&](const auto& r) { return lies_inside(file, r); })) {
          fail(name_node, "include", "'" + file.string() + "' is outside --asset-root " + m_include_roots.front().string() +
                                         " and the config's own folder");
        }
      }
      if (!std::filesystem::is_regular_file(file, ec)) {
        fail(name_node, "include", "'" + file.string() + "' is not a readable file");
      }
      const auto size = std::filesystem::file_size(file, ec);
      if (ec) fail(name_node, "include", "cannot read '" + file.string() + "': " + ec.message());
      if (size > k_max_config_bytes) fail(name_node, "include", "'" + file.string() + "' is larger than 4 MiB");
      auto text = read_text_file(file);
      if (!text) fail(name_node, "include", text.error().message);
      YAML::Node child;
      try {
        child = YAML::Load(*text);
      } catch (const YAML::Exception& e) {
        std::string at = file.string();
        if (!e.mark.is_null()) at += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
        throw ConfigFailure{at + ": YAML syntax error: " + e.msg};
      }
      charge(child, file.string());
      if (!child.IsMap()) throw ConfigFailure{file.string() + ": an included config must be a mapping"};
      m_includes.push_back({file.string(), file.parent_path(), child});
      stack.push_back(file.string());
      child = load_with_includes(child, file.parent_path(), stack);
      stack.pop_back();
      merged = merged.IsDefined() && merged.IsMap() ? merge(merged, child) : child;
    }
    return merged.IsDefined() && merged.IsMap() ? merge(merged, root) : root;
  }

  // `over` on top of `base`; the nodes themselves are kept (not copied), so messages still point
  // into the file each value came from. "include" keys are dropped.
  static YAML::Node merge(const YAML::Node& base, const YAML::Node& over) {
    YAML::Node out(YAML::NodeType::Map);
    auto key_in = [](const YAML::Node& map, const std::string& k) {
      for (const auto& kv : map) {
        if (kv.first.IsScalar() && kv.first.Scalar() == k) return true;
      }
      return false;
    };
    for (const auto& kv : base) {
      if (!kv.first.IsScalar() || kv.first.Scalar() == "include") continue;
      if (!key_in(over, kv.first.Scalar())) out.force_insert(kv.first, kv.second);
    }
    for (const auto& kv : over) {
      if (kv.first.IsScalar() && kv.first.Scalar() == "include") continue;
      YAML::Node below;
      for (const auto& b : base) {
        if (b.first.IsScalar() && kv.first.IsScalar() && b.first.Scalar() == kv.first.Scalar()) below = b.second;
      }
      if (below.IsDefined() && below.IsMap() && kv.second.IsMap()) {
        out.force_insert(kv.first, merge(below, kv.second));
      } else {
        out.force_insert(kv.first, kv.second);
      }
    }
    return out;
  }

  static bool contains(const YAML::Node& root, const YAML::Node& n) {
    if (root.is(n)) return true;
    if (root.IsSequence()) {
      for (const auto& c : root) {
        if (contains(c, n)) return true;
      }
    } else if (root.IsMap()) {
      for (const auto& kv : root) {
        if (contains(kv.first, n) || contains(kv.second, n)) return true;
      }
    }
    return false;
  }

  // A key an override added is new to the tree: errors about it name the override too.
  void remember_key(const YAML::Node& map, const std::string& key, const std::string& label) {
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) m_overrides.emplace_back(label, kv.first);
    }
  }

  // Applies "a.b[2].c=value" to the tree (value parsed as YAML); maps along the path are created.
  void apply_override(YAML::Node& root, const std::string& text) {
    // Named in messages by its text, shortened: an override may be long (or an alias bomb).
    const std::string label = "override '" + (text.size() > 80 ? text.substr(0, 77) + "..." : text) + "'";
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigFailure{label + ": expected KEY.PATH=VALUE, e.g. camera.distance=4 or objects[1].count=3"};
    }
    YAML::Node value;
    try {
      value = YAML::Load(text.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw ConfigFailure{label + ": the value is not valid YAML: " + e.msg};
    }
    charge(value, label);
    if (path_is_include(text.substr(0, eq))) {
      throw ConfigFailure{label + ": include cannot be set from the command line; put 'include:' in the config "
                                  "(or override the keys the included file would set)"};
    }
    if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    YAML::Node cur = root;
    std::string done;  // the path so far, for messages
    const std::string path = text.substr(0, eq);
    std::size_t i = 0;
    while (i < path.size()) {
      std::size_t j = i;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      const std::string key = path.substr(i, j - i);
      if (key.empty()) throw ConfigFailure{label + ": empty key in '" + path + "'"};
      if (!cur.IsMap()) throw ConfigFailure{label + ": " + (done.empty() ? "(top level)" : done) + " is not a mapping"};
      done = done.empty() ? key : done + "." + key;
      const bool last = j == path.size();
      const bool existed = cur[key].IsDefined();
      if (last) {
        cur[key] = value;
        if (!existed) remember_key(cur, key, label);
        break;
      }
      YAML::Node next = cur[key];
      if (!next.IsDefined() || next.IsNull()) {
        if (path[j] == '[') throw ConfigFailure{label + ": " + done + " is not in the config"};
        cur[key] = YAML::Node(YAML::NodeType::Map);
        if (!existed) remember_key(cur, key, label);
        next = cur[key];
      }
      cur.reset(next);
      i = j;
      while (i < path.size() && path[i] == '[') {
        const auto close = path.find(']', i);
        if (close == std::string::npos) throw ConfigFailure{label + ": missing ']' in '" + path + "'"};
        const std::string digits = path.substr(i + 1, close - i - 1);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6) {
          throw ConfigFailure{label + ": '[" + digits + "]' is not a list index"};
        }
        const std::size_t index = std::stoul(digits);
        if (!cur.IsSequence() || index >= cur.size()) {
          throw ConfigFailure{label + ": " + done + " has no entry [" + digits + "] (it has " +
                              std::to_string(cur.IsSequence() ? cur.size() : 0) + ")"};
        }
        done += "[" + digits + "]";
        if (close + 1 == path.size()) {
          cur[index] = value;
          i = close + 1;
          break;
        }
        YAML::Node item = cur[index];
        cur.reset(item);
        i = close + 1;
      }
      if (i < path.size() && path[i] == '.') ++i;
    }
    m_overrides.emplace_back(label, value);
  }

  static bool path_is_include(const std::string& path) { return path == "include" || path.rfind("include[", 0) == 0; }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    throw ConfigFailure{where(n) + ": " + key + ": " + what};
  }

  // Keys of the mapping at schema path `schema` (scenes/ConfigSchema.h: the table the JSON Schema is
  // made from, so loader and schema agree on every key).
  void check_schema_keys(const YAML::Node& map, const std::string& path, std::string_view schema) {
    const std::vector<std::string_view> allowed = schema_keys(schema);
    if (allowed.empty()) throw ConfigFailure{"internal: no schema for '" + std::string(schema) + "'"};
    check_keys(map, path, std::span<const std::string_view>(allowed));
  }

  void check_keys(const YAML::Node& map, const std::string& path, std::initializer_list<std::string_view> allowed) {
    check_keys(map, path, std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }

  // Fails on keys not in `allowed` (with a suggestion) and on duplicate keys; an empty `allowed`
  // checks duplicates only.
  void check_keys(const YAML::Node& map, const std::string& path, std::span<const std::string_view> allowed) {
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

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

  void expect_map(const YAML::Node& n, const std::string& path) {
    if (!n.IsMap()) fail(n, path, "expected a mapping (key: value lines)");
  }

  double number(const YAML::Node& n, const std::string& path) {
    const double v = finite_number(n, path);
    if (std::abs(v) > k_max_config_magnitude) {
      fail(n, path, "expected a number from " + fmt(-k_max_config_magnitude) + " to " + fmt(k_max_config_magnitude) + ", got " + fmt(v));
    }
    return v;
  }

  double finite_number(const YAML::Node& n, const std::string& path) {
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

  double number(const YAML::Node& n, const std::string& path, double lo, double hi) {
    const double v = finite_number(n, path);
    if (v < lo || v > hi) fail(n, path, "expected a number from " + fmt(lo) + " to " + fmt(hi) + ", got " + fmt(v));
    return v;
  }

  std::int64_t integer(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) fail(n, path, "expected an integer");
    try {
      return n.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      fail(n, path, "expected an integer, got '" + n.Scalar() + "'");
    }
  }

  std::uint64_t unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t lo, std::uint64_t hi) {
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

  bool boolean(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar()) fail(n, path, "expected true or false");
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, path, "expected true or false, got '" + n.Scalar() + "'");
    }
  }

  std::string string(const YAML::Node& n, const std::string& path) {
    if (!n.IsScalar() || n.Scalar().empty()) fail(n, path, "expected a non-empty string");
    if (!is_valid_utf8(n.Scalar())) fail(n, path, "text is not valid UTF-8");
    // A line break or tab in a name would split the line-based formats' lines (KITTI, voc/labels.txt).
    for (char ch : n.Scalar()) {
      if (const auto c = static_cast<unsigned char>(ch); c < 0x20 || c == 0x7f) fail(n, path, "text holds a control character (a line break or tab, say); names are one line");
    }
    return n.Scalar();
  }

  // The single key of a one-key mapping such as {uniform: [0, 1]}; fails otherwise.
  std::pair<std::string, YAML::Node> one_key(const YAML::Node& n, const std::string& path,
                                             std::initializer_list<std::string_view> kinds, const std::string& expected) {
    if (!n.IsMap() || n.size() != 1) fail(n, path, expected);
    check_keys(n, path, kinds);
    auto it = n.begin();
    return {it->first.Scalar(), it->second};
  }

  // {choice: [...], weights: [...]}: the kind "choice", its body, and the weights node (or a null node).
  // Any other distribution is a one-key mapping.
  struct DistForm {
    std::string kind;
    YAML::Node body, weights;
    bool has_weights = false;  // (a default YAML::Node is a defined null node: it tests true)
  };
  DistForm dist_form(const YAML::Node& n, const std::string& path, std::initializer_list<std::string_view> kinds,
                     const std::string& expected) {
    if (n.IsMap() && n.size() == 2 && n["choice"] && n["weights"]) {
      check_keys(n, path, {"choice", "weights"});
      return {"choice", n["choice"], n["weights"], true};
    }
    auto [kind, body] = one_key(n, path, kinds, expected);
    return {kind, body, YAML::Node(), false};
  }

  std::vector<double> weights(const YAML::Node& n, const std::string& path, std::size_t count) {
    const auto w = number_list(n, path, count);
    double sum = 0;
    for (double x : w) {
      if (x < 0) fail(n, path, "weights must be >= 0, got " + fmt(x));
      sum += x;
    }
    if (!(sum > 0)) fail(n, path, "weights must not all be 0");
    return w;
  }

  std::vector<double> number_list(const YAML::Node& n, const std::string& path, std::size_t exact) {
    if (!n.IsSequence() || (exact != 0 && n.size() != exact) || n.size() == 0) {
      fail(n, path, exact ? "expected a list of " + std::to_string(exact) + (exact == 1 ? " number" : " numbers")
                         : "expected a non-empty list");
    }
    std::vector<double> out;
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(number(n[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  static constexpr const char* k_scalar_forms =
      "expected a number or a distribution: {uniform: [lo, hi]}, {loguniform: [lo, hi]}, {normal: [mean, stddev]}, "
      "{truncated_normal: [mean, stddev, lo, hi]}, {choice: [a, b, ...], weights: [...]}, {sweep: [from, to]}, "
      "{sequence: [a, b, ...]}";

  ScalarDist scalar_dist(const YAML::Node& n, const std::string& path, double lo = -k_inf, double hi = k_inf) {
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

  IntDist int_dist(const YAML::Node& n, const std::string& path, std::int64_t lo, std::int64_t hi) {
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

  Vec3Dist vec3_dist(const YAML::Node& n, const std::string& path, double lo = -k_inf, double hi = k_inf) {
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

  // The shortest text that reads back as `v`: plain digits from 1e-6 to 1e15 (0.000001, 1000000),
  // scientific beyond (1e+308, not 309 digits).
  static std::string fmt(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    const bool plain = v == 0.0 || (std::abs(v) >= 1e-6 && std::abs(v) < 1e15);
    char buf[64];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v, plain ? std::chars_format::fixed : std::chars_format::scientific).ptr);
  }

  SceneSpec parse(const YAML::Node& root) {
    SceneSpec spec;
    if (!root.IsDefined() || root.IsNull()) throw ConfigFailure{m_file + ": the config is empty"};
    expect_map(root, "(top level)");
    check_schema_keys(root, "", "");
    if (root["seed"]) spec.seed = unsigned_integer(root["seed"], "seed", 0, UINT64_MAX);
    if (root["frames"]) spec.frames = unsigned_integer(root["frames"], "frames", 1, k_max_frames);
    spec.sweep_frames = spec.frames;
    if (auto r = root["resolution"]) {
      if (!r.IsSequence() || r.size() != 2) fail(r, "resolution", "expected [width, height]");
      spec.width = static_cast<std::uint32_t>(unsigned_integer(r[0], "resolution[0]", 1, k_max_image_side));
      spec.height = static_cast<std::uint32_t>(unsigned_integer(r[1], "resolution[1]", 1, k_max_image_side));
      if (std::uint64_t{spec.width} * spec.height > k_max_pixels) {
        fail(r, "resolution", std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                                  " is more than the limit of " + std::to_string(k_max_pixels) + " pixels per frame");
      }
    }
    parse_categories(root, spec);
    if (auto sp = root["splits"]) {
      if (!sp.IsMap() || sp.size() == 0 || sp.size() > 16) fail(sp, "splits", "expected {name: share, ...}, e.g. {train: 0.8, val: 0.2}, 1 to 16 splits");
      check_keys(sp, "splits", {});  // duplicates
      double total = 0;
      for (const auto& kv : sp) {
        const std::string name = kv.first.Scalar();
        const bool ok = !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        if (!ok) fail(kv.first, "splits", "'" + name + "': a split's name is 1 to 32 letters, digits, '_' or '-' (it names coco_NAME.json)");
        const double share = number(kv.second, join("splits", name), 0.0, 1e9);
        if (!(share > 0)) fail(kv.second, join("splits", name), "must be > 0");
        spec.splits.emplace_back(name, share);
        total += share;
      }
      for (auto& [name, share] : spec.splits) share /= total;
    }
    if (auto bc = root["background_category"]) {
      spec.background_category = category_id(bc, "background_category", spec);
      if (!spec.categories[spec.background_category - 1].stuff) {
        fail(bc, "background_category", "'" + bc.Scalar() + "' is a thing category; the background takes a stuff category "
                                        "(categories: [..., {name: " + bc.Scalar() + ", stuff: true}])");
      }
    }
    if (auto c = root["camera"]) parse_camera(c, spec.camera);
    if (auto l = root["lights"]) {
      if (!l.IsSequence()) fail(l, "lights", "expected a list of lights");
      if (l.size() > k_max_lights) fail(l, "lights", "at most " + std::to_string(k_max_lights) + " lights");
      for (std::size_t i = 0; i < l.size(); ++i) spec.lights.push_back(parse_light(l[i], "lights[" + std::to_string(i) + "]"));
    } else {
      spec.lights.push_back(LightSpec{});
    }
    if (auto a = root["ambient"]) spec.ambient = scalar_dist(a, "ambient", 0.0, 10.0);
    if (auto b = root["background"]) spec.background = vec3_dist(b, "background", 0.0, 1.0);
    if (auto e = root["environment"]) spec.environment = parse_environment(e);
    if (auto s = root["sensor"]) spec.sensor = parse_sensor(s);
    if (auto r = root["render"]) spec.render = parse_render(r);
    auto objs = root["objects"];
    if (!objs) fail(root, "objects", "missing: a config needs at least one object");
    if (!objs.IsSequence() || objs.size() == 0) fail(objs, "objects", "expected a non-empty list of objects");
    for (std::size_t i = 0; i < objs.size(); ++i) {
      spec.objects.push_back(parse_object(objs[i], "objects[" + std::to_string(i) + "]", spec));
    }
    collect_keypoints(objs, spec);
    // Worst-case instance count must fit the 16-bit instance PNG.
    std::size_t worst = 0;
    for (const auto& o : spec.objects) {
      if (!o.labeled) continue;
      worst += static_cast<std::size_t>(std::visit(
          [](const auto& d) -> std::int64_t {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, std::int64_t>) return d;
            else if constexpr (std::is_same_v<T, IntRange>) return d.hi;
            else return *std::max_element(d.values.begin(), d.values.end());
          },
          o.count));
    }
    if (worst > k_max_instances_per_frame) {
      fail(objs, "objects", "up to " + std::to_string(worst) + " labeled instances per frame; the limit is " +
                                std::to_string(k_max_instances_per_frame));
    }
    if (auto r = root["randomizers"]) parse_randomizers(r, spec);
    if (auto o = root["outputs"]) {
      if (!o.IsSequence()) fail(o, "outputs", "expected a list of formats, e.g. [coco, yolo]");
      std::vector<std::string_view> formats = {"coco"};
      std::string known = "coco";
      for (const auto& [name, flag] : k_output_flags) {
        formats.push_back(name);
        known += std::string(", ") + name;
      }
      for (std::size_t i = 0; i < o.size(); ++i) {
        const std::string path = "outputs[" + std::to_string(i) + "]";
        const std::string f = string(o[i], path);
        bool found = f == "coco";
        for (const auto& [name, flag] : k_output_flags) {
          if (f == name) spec.outputs.*flag = found = true;
        }
        if (!found) fail(o[i], path, "unknown format '" + f + "'" + suggest(f, formats) + " (known: " + known + ")");
      }
      if (spec.outputs.bop) spec.outputs.amodal = true;  // BOP's masks need the unoccluded renders
      // Formats with narrower ids than ours.
      if (spec.outputs.voc && worst > 255) {
        fail(o, "outputs", "voc: up to " + std::to_string(worst) + " labeled instances per frame; its object PNG holds 255");
      }
      if (spec.outputs.cityscapes && (spec.categories.size() > 64 || worst > 999)) {
        fail(o, "outputs", "cityscapes: instanceIds (category x 1000 + k, 16-bit) hold at most 64 categories and 999 instances per frame");
      }
    }
    spec.sweep_at = m_first_sweep;
    return spec;
  }

  // Every scalar below `n` valid UTF-8 (a config's text goes into JSON records as given).
  void check_text(const YAML::Node& n, const std::string& path) {
    if (n.IsScalar() && !is_valid_utf8(n.Scalar())) fail(n, path, "text is not valid UTF-8");
    if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) check_text(n[i], path + "[" + std::to_string(i) + "]");
    } else if (n.IsMap()) {
      for (const auto& kv : n) check_text(kv.second, join(path, kv.first.IsScalar() ? kv.first.Scalar() : "?"));
    }
  }

  // Each entry becomes a Properties bag; its parameters are checked when the randomizer is built
  // from it (build_randomizers), against that randomizer's own schema.
  void parse_randomizers(const YAML::Node& list, SceneSpec& spec) {
    if (!list.IsSequence()) fail(list, "randomizers", "expected a list of randomizers, each {type: NAME, ...}");
    if (list.size() > k_max_randomizers) {
      fail(list, "randomizers", "at most " + std::to_string(k_max_randomizers) + " randomizers");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string path = "randomizers[" + std::to_string(i) + "]";
      const YAML::Node entry = list[i];
      expect_map(entry, path);
      if (!entry["type"]) fail(entry, join(path, "type"), "missing: which randomizer, e.g. type: place_on_surface");
      auto impl = std::make_shared<Properties::Impl>();
      impl->parser = shared_from_this();
      impl->node = entry;
      impl->path = path;
      impl->type = string(entry["type"], join(path, "type"));
      check_keys(entry, path, {});  // only for duplicate keys and non-scalar keys: unknown ones are the factory's
      check_text(entry, path);        // the entry is recorded as given (to_json), before its factory reads it
      spec.randomizers.emplace_back(std::move(impl));
    }
  }

  SensorSpec parse_sensor(const YAML::Node& n) {
    expect_map(n, "sensor");
    check_schema_keys(n, "sensor", "sensor");
    SensorSpec s;
    if (n["white_balance"]) s.white_balance = vec3_dist(n["white_balance"], "sensor.white_balance", 0.0, 10.0);
    if (n["brightness"]) s.brightness = scalar_dist(n["brightness"], "sensor.brightness", -1.0, 1.0);
    if (n["contrast"]) s.contrast = scalar_dist(n["contrast"], "sensor.contrast", 0.0, 10.0);
    if (n["saturation"]) s.saturation = scalar_dist(n["saturation"], "sensor.saturation", 0.0, 10.0);
    if (n["vignetting"]) s.vignetting = scalar_dist(n["vignetting"], "sensor.vignetting", 0.0, 1.0);
    if (n["defocus_px"]) s.defocus_px = scalar_dist(n["defocus_px"], "sensor.defocus_px", 0.0, 8.0);
    if (n["motion_px"]) s.motion_px = scalar_dist(n["motion_px"], "sensor.motion_px", 0.0, 32.0);
    if (n["motion_angle_deg"]) s.motion_angle_deg = scalar_dist(n["motion_angle_deg"], "sensor.motion_angle_deg");
    if (n["shot_photons"]) s.shot_photons = scalar_dist(n["shot_photons"], "sensor.shot_photons", 0.0, 1e7);
    if (n["read_noise"]) s.read_noise = scalar_dist(n["read_noise"], "sensor.read_noise", 0.0, 1.0);
    if (n["gamma"]) s.gamma = scalar_dist(n["gamma"], "sensor.gamma", 0.2, 5.0);
    if (n["jpeg_quality"]) s.jpeg_quality = scalar_dist(n["jpeg_quality"], "sensor.jpeg_quality", 0.0, 100.0);
    return s;
  }

  RenderSpec parse_render(const YAML::Node& n) {
    expect_map(n, "render");
    check_schema_keys(n, "render", "render");
    RenderSpec r;
    if (auto s = n["supersampling"]) {
      r.supersampling = static_cast<std::uint32_t>(unsigned_integer(s, "render.supersampling", 1, 5));
      if (r.supersampling % 2 == 0) {
        fail(s, "render.supersampling", "expected 1, 3 or 5: an odd factor puts a sample at every pixel centre");
      }
    }
    if (auto s = n["shadow_map_size"]) {
      r.shadow_map_size = static_cast<std::uint32_t>(unsigned_integer(s, "render.shadow_map_size", 0, 8192));
      if (r.shadow_map_size != 0 && r.shadow_map_size < 64) fail(s, "render.shadow_map_size", "expected 0 (no shadows) or 64..8192");
    }
    return r;
  }

  EnvironmentSpec parse_environment(const YAML::Node& n) {
    expect_map(n, "environment");
    check_schema_keys(n, "environment", "environment");
    EnvironmentSpec env;
    const YAML::Node maps = n["maps"];
    if (!maps) {
      // The built-in analytic sky, by default or as configured.
      env.sky = SkyParams{};
      if (const YAML::Node s = n["sky"]) {
        expect_map(s, "environment.sky");
        check_schema_keys(s, "environment.sky", "environment.sky");
        if (s["turbidity"]) env.sky->turbidity = number(s["turbidity"], "environment.sky.turbidity", 1.7, 10.0);
        if (s["sun_elevation_deg"]) env.sky->sun_elevation_deg = number(s["sun_elevation_deg"], "environment.sky.sun_elevation_deg", 0.0, 90.0);
        if (s["sun_azimuth_deg"]) env.sky->sun_azimuth_deg = number(s["sun_azimuth_deg"], "environment.sky.sun_azimuth_deg", -360.0, 360.0);
        if (s["ground_albedo"]) env.sky->ground_albedo = number(s["ground_albedo"], "environment.sky.ground_albedo", 0.0, 1.0);
      }
      if (n["weights"]) fail(n["weights"], "environment.weights", "only applies to a list of maps");
    } else if (n["sky"]) {
      fail(n["sky"], "environment.sky", "give either maps or sky, not both");
    }
    std::vector<YAML::Node> items;
    if (!maps) {
      // the sky: no files
    } else if (maps.IsScalar()) {
      items.push_back(maps);
    } else if (maps.IsSequence() && maps.size() > 0) {
      for (const auto& m : maps) items.push_back(m);
    } else {
      fail(maps, "environment.maps", "expected a file name or a non-empty list of file names");
    }
    if (maps && items.size() > k_max_environment_maps) {
      fail(maps, "environment.maps", "at most " + std::to_string(k_max_environment_maps) + " maps");
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string path = "environment.maps[" + std::to_string(i) + "]";
      const std::filesystem::path rel = string(items[i], path);
      env.maps.push_back(rel.is_absolute() ? rel : (source_of(items[i]).second / rel).lexically_normal());
      env.where.push_back(where(items[i]) + ": " + path);
    }
    if (n["weights"]) env.weights = weights(n["weights"], "environment.weights", env.maps.size());
    if (n["rotation_deg"]) env.rotation_deg = scalar_dist(n["rotation_deg"], "environment.rotation_deg");
    if (n["intensity"]) env.intensity = scalar_dist(n["intensity"], "environment.intensity", 0.0, 1000.0);
    if (n["background"]) env.background = boolean(n["background"], "environment.background");
    if (n["lighting"]) env.lighting = boolean(n["lighting"], "environment.lighting");
    return env;
  }

  void parse_categories(const YAML::Node& root, SceneSpec& spec) {
    auto cats = root["categories"];
    if (!cats) fail(root, "categories", "missing: list the category names, e.g. categories: [box, ball]");
    if (!cats.IsSequence() || cats.size() == 0) fail(cats, "categories", "expected a non-empty list of names");
    if (cats.size() > k_max_categories) {
      fail(cats, "categories", "at most " + std::to_string(k_max_categories) + " categories");
    }
    for (std::size_t i = 0; i < cats.size(); ++i) {
      const std::string path = "categories[" + std::to_string(i) + "]";
      CategorySpec c;
      if (cats[i].IsMap()) {
        check_schema_keys(cats[i], path, "categories[]");
        if (!cats[i]["name"]) fail(cats[i], path + ".name", "missing");
        c.name = string(cats[i]["name"], path + ".name");
        c.supercategory = cats[i]["supercategory"] ? string(cats[i]["supercategory"], path + ".supercategory") : c.name;
        if (cats[i]["stuff"]) c.stuff = boolean(cats[i]["stuff"], path + ".stuff");
      } else {
        c.name = string(cats[i], path);
        c.supercategory = c.name;
      }
      for (const auto& prev : spec.categories) {
        if (prev.name == c.name) fail(cats[i], path, "category '" + c.name + "' is listed twice");
      }
      if (!c.stuff && !spec.categories.empty() && spec.categories.back().stuff) {
        fail(cats[i], path, "thing category '" + c.name + "' after a stuff category: list stuff categories last, so things "
                            "keep ids 1..N (YOLO class = id - 1)");
      }
      spec.categories.push_back(c);
    }
  }

  void parse_camera(const YAML::Node& n, CameraSpec& cam) {
    expect_map(n, "camera");
    check_schema_keys(n, "camera", "camera");
    if (n["fov_deg"]) cam.fov_y_deg = scalar_dist(n["fov_deg"], "camera.fov_deg", 1.0, 179.0);
    if (auto k = n["intrinsics"]) {
      if (n["fov_deg"]) fail(k, "camera.intrinsics", "give either fov_deg or intrinsics, not both");
      expect_map(k, "camera.intrinsics");
      check_schema_keys(k, "camera.intrinsics", "camera.intrinsics");
      IntrinsicsSpec in;
      for (const char* key : {"fx", "fy", "cx", "cy"}) {
        if (!k[key]) fail(k, join("camera.intrinsics", key), "missing: intrinsics need fx, fy, cx and cy (pixels)");
      }
      in.fx = scalar_dist(k["fx"], "camera.intrinsics.fx", 1e-3, 1e7);
      in.fy = scalar_dist(k["fy"], "camera.intrinsics.fy", 1e-3, 1e7);
      in.cx = scalar_dist(k["cx"], "camera.intrinsics.cx", -1e6, 1e6);
      in.cy = scalar_dist(k["cy"], "camera.intrinsics.cy", -1e6, 1e6);
      cam.intrinsics = in;
    }
    // Beyond these the projection loses every surface in float32 (near 1e-7 or far 1e39 render nothing).
    if (n["near"]) cam.near_m = number(n["near"], "camera.near", 1e-6, 1e6);
    if (n["far"]) cam.far_m = number(n["far"], "camera.far", 1e-6, 1e9);
    if (!(cam.near_m > 0.0)) fail(n["near"], "camera.near", "must be > 0");
    if (!(cam.far_m > cam.near_m)) fail(n["far"] ? n["far"] : n, "camera.far", "must be greater than camera.near");
    if (n["target"]) cam.target = vec3_dist(n["target"], "camera.target");
    if (n["distance"]) cam.distance_m = scalar_dist(n["distance"], "camera.distance", 1e-6, 1e6);
    if (n["elevation_deg"]) cam.elevation_deg = scalar_dist(n["elevation_deg"], "camera.elevation_deg", -90.0, 90.0);
    if (n["azimuth_deg"]) cam.azimuth_deg = scalar_dist(n["azimuth_deg"], "camera.azimuth_deg");
    if (n["roll_deg"]) cam.roll_deg = scalar_dist(n["roll_deg"], "camera.roll_deg");
    if (n["exposure_ev"]) cam.exposure_ev = scalar_dist(n["exposure_ev"], "camera.exposure_ev", -20.0, 20.0);
    if (auto t = n["tone_map"]) {
      const std::string v = string(t, "camera.tone_map");
      std::string_view kinds[] = {"none", "filmic"};
      if (v != "none" && v != "filmic") fail(t, "camera.tone_map", "unknown tone map '" + v + "'" + suggest(v, kinds));
      cam.filmic = v == "filmic";
    }
  }

  LightSpec parse_light(const YAML::Node& n, const std::string& path) {
    expect_map(n, path);
    check_schema_keys(n, path, "lights[]");
    LightSpec l;
    if (n["type"]) {
      const std::string t = string(n["type"], join(path, "type"));
      std::string_view kinds[] = {"directional", "point", "spot"};
      if (t == "point") l.type = LightType::point;
      else if (t == "spot") l.type = LightType::spot;
      else if (t != "directional") fail(n["type"], join(path, "type"), "unknown light type '" + t + "'" + suggest(t, kinds));
    }
    const bool positional = l.type != LightType::directional;
    for (const char* k : {"target", "distance"}) {
      if (n[k] && !positional) fail(n[k], join(path, k), "only applies to point and spot lights");
    }
    for (const char* k : {"cone_deg", "softness"}) {
      if (n[k] && l.type != LightType::spot) fail(n[k], join(path, k), "only applies to spot lights");
    }
    if (n["target"]) l.target = vec3_dist(n["target"], join(path, "target"));
    if (n["distance"]) l.distance_m = scalar_dist(n["distance"], join(path, "distance"), 1e-3, 1e6);
    if (n["cone_deg"]) l.cone_deg = scalar_dist(n["cone_deg"], join(path, "cone_deg"), 0.1, 89.9);
    if (n["softness"]) l.softness = scalar_dist(n["softness"], join(path, "softness"), 0.0, 1.0);
    if (n["elevation_deg"]) l.elevation_deg = scalar_dist(n["elevation_deg"], join(path, "elevation_deg"), -90.0, 90.0);
    if (n["azimuth_deg"]) l.azimuth_deg = scalar_dist(n["azimuth_deg"], join(path, "azimuth_deg"));
    if (n["intensity"]) l.intensity = scalar_dist(n["intensity"], join(path, "intensity"), 0.0, 1000.0);
    if (n["color"]) l.color = vec3_dist(n["color"], join(path, "color"), 0.0, 1.0);
    if (n["temperature_k"]) l.temperature_k = scalar_dist(n["temperature_k"], join(path, "temperature_k"), 1000.0, 40000.0);
    if (auto s = n["shadows"]) {
      l.shadows = boolean(s, join(path, "shadows"));
      if (l.shadows && l.type == LightType::point) fail(s, join(path, "shadows"), "point lights cast no shadows (only directional and spot lights do)");
    }
    if (l.type == LightType::point) l.shadows = false;
    return l;
  }

  ObjectSpec parse_object(const YAML::Node& n, const std::string& path, const SceneSpec& spec) {
    expect_map(n, path);
    check_schema_keys(n, path, "objects[]");
    ObjectSpec o;
    if (n["labeled"]) o.labeled = boolean(n["labeled"], join(path, "labeled"));
    if (auto pool = n["pool"]) {
      for (const char* k : {"primitive", "asset", "normalize", "units", "up", "category", "keypoints"}) {
        if (n[k]) fail(n[k], join(path, k), "an object with a pool takes its shapes and categories from the pool entries");
      }
      parse_pool(pool, n["category_weights"], join(path, "pool"), o, spec);
      o.name = n["name"] ? string(n["name"], join(path, "name")) : "pool";
      parse_placement(n, path, o);
      return o;
    }
    if (n["category_weights"]) fail(n["category_weights"], join(path, "category_weights"), "only applies with 'pool'");
    o.shape = parse_shape(n, path);
    o.name = n["name"] ? string(n["name"], join(path, "name")) : o.shape.name;
    if (auto c = n["category"]) {
      o.category_id = category_id(c, join(path, "category"), spec);
      if (spec.categories[o.category_id - 1].stuff) {
        // A stuff surface: its pixels carry the category, it is never an instance.
        if (n["labeled"] && o.labeled) {
          fail(n["labeled"], join(path, "labeled"), "'" + c.Scalar() + "' is a stuff category: it labels pixels, not instances; "
                                                    "drop labeled: true");
        }
        o.labeled = false;
      } else if (!o.labeled) {
        fail(c, join(path, "category"), "an unlabeled object (labeled: false) has no category (or give it a stuff category)");
      }
    } else if (o.labeled) {
      fail(n, join(path, "category"), "missing: a labeled object needs a category (or set labeled: false)");
    }
    // A glob or a folder of assets: a pool of its files, equally likely, each in the object's category.
    if (const auto files = asset_set(o.shape, n["asset"], join(path, "asset")); !files.empty()) {
      if (o.category_id != 0 && spec.categories[o.category_id - 1].stuff) {
        fail(n["asset"], join(path, "asset"), "a set of assets takes a thing category (a stuff surface is one mesh)");
      }
      PoolEntry entry;
      entry.shape = o.shape;
      entry.category_id = o.labeled ? o.category_id : 0;
      std::vector<double> weights;
      add_pool_entries(entry, files, 1.0, o, weights);
      for (std::size_t j = 0; j < o.pool.size(); ++j) o.pool[j].probability = weights[j];
      o.shape = ShapeSpec{};
      if (!n["name"]) o.name = n["asset"].Scalar();  // "models/*.glb", as written
    }
    parse_placement(n, path, o);
    return o;
  }

  // `primitive`, or `asset` with its import options, in an object or a pool entry.
  ShapeSpec parse_shape(const YAML::Node& n, const std::string& path) {
    ShapeSpec out;
    if (n["primitive"] && n["asset"]) fail(n, path, "give either 'primitive' or 'asset', not both");
    if (auto p = n["primitive"]) {
      out.name = string(p, join(path, "primitive"));
      out.primitive = primitive_from_name(out.name);
      if (!out.primitive) {
        std::vector<std::string_view> names(k_primitive_names.begin(), k_primitive_names.end());
        fail(p, join(path, "primitive"), "unknown primitive '" + out.name + "'" + suggest(out.name, names));
      }
    } else if (auto a = n["asset"]) {
      const std::filesystem::path rel = string(a, join(path, "asset"));
      out.asset = rel.is_absolute() ? rel : (source_of(a).second / rel).lexically_normal();
      out.where = where(a) + ": " + join(path, "asset");
      out.name = rel.filename().string();
    } else {
      fail(n, path, "missing 'primitive' (cube, sphere, cylinder, cone, torus, plane) or 'asset' (a mesh file path)");
    }
    if (n["normalize"]) {
      if (!n["asset"]) fail(n["normalize"], join(path, "normalize"), "only applies to assets");
      out.normalize = boolean(n["normalize"], join(path, "normalize"));
    }
    if (auto u = n["units"]) {
      if (!n["asset"]) fail(u, join(path, "units"), "only applies to assets");
      out.unit_scale = number(u, join(path, "units"));
      if (!(out.unit_scale > 0) || out.unit_scale > 1e6) fail(u, join(path, "units"), "expected metres per file unit, > 0");
    }
    if (auto up = n["up"]) {
      if (!n["asset"]) fail(up, join(path, "up"), "only applies to assets");
      const std::string v = string(up, join(path, "up"));
      std::string_view axes[] = {"y", "z"};
      if (v != "y" && v != "z") fail(up, join(path, "up"), "expected y or z, got '" + v + "'" + suggest(v, axes));
      out.z_up = v == "z";
    }
    if (auto k = n["keypoints"]) out.keypoints = parse_keypoints(k, join(path, "keypoints"));
    return out;
  }

  // keypoints: {points: [{name, position: [x, y, z]}, ...], skeleton: [[name, name], ...], tolerance_m}
  // Positions are in the model file's own coordinates (before units, up and normalize).
  KeypointsSpec parse_keypoints(const YAML::Node& n, const std::string& path) {
    expect_map(n, path);
    check_schema_keys(n, path, "objects[].keypoints");
    KeypointsSpec k;
    const YAML::Node points = n["points"];
    if (!points) fail(n, join(path, "points"), "missing: list the points, e.g. points: [{name: tip, position: [0, 1, 0]}]");
    if (!points.IsSequence() || points.size() == 0) fail(points, join(path, "points"), "expected a non-empty list of {name, position}");
    if (points.size() > k_max_keypoints) fail(points, join(path, "points"), "at most " + std::to_string(k_max_keypoints) + " keypoints");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::string pp = join(path, "points") + "[" + std::to_string(i) + "]";
      expect_map(points[i], pp);
      check_schema_keys(points[i], pp, "objects[].keypoints.points[]");
      if (!points[i]["name"]) fail(points[i], join(pp, "name"), "missing");
      if (!points[i]["position"]) fail(points[i], join(pp, "position"), "missing: [x, y, z] in the model's coordinates");
      const std::string name = string(points[i]["name"], join(pp, "name"));
      for (const auto& prev : k.names) {
        if (prev == name) fail(points[i]["name"], join(pp, "name"), "keypoint '" + name + "' is listed twice");
      }
      const auto xyz = number_list(points[i]["position"], join(pp, "position"), 3);
      k.names.push_back(name);
      k.points.emplace_back(xyz[0], xyz[1], xyz[2]);
    }
    if (auto sk = n["skeleton"]) {
      const std::string sp = join(path, "skeleton");
      if (!sk.IsSequence()) fail(sk, sp, "expected a list of [name, name] pairs");
      for (std::size_t i = 0; i < sk.size(); ++i) {
        const std::string ep = sp + "[" + std::to_string(i) + "]";
        if (!sk[i].IsSequence() || sk[i].size() != 2) fail(sk[i], ep, "expected a pair [name, name]");
        std::array<std::uint32_t, 2> edge{};
        for (std::size_t e = 0; e < 2; ++e) {
          const std::string name = string(sk[i][e], ep + "[" + std::to_string(e) + "]");
          const auto it = std::find(k.names.begin(), k.names.end(), name);
          if (it == k.names.end()) {
            std::vector<std::string_view> names(k.names.begin(), k.names.end());
            fail(sk[i][e], ep + "[" + std::to_string(e) + "]", "unknown keypoint '" + name + "'" + suggest(name, names));
          }
          edge[e] = static_cast<std::uint32_t>(it - k.names.begin() + 1);
        }
        if (edge[0] == edge[1]) fail(sk[i], ep, "an edge joins two different keypoints");
        k.skeleton.push_back(edge);
      }
    }
    if (auto t = n["tolerance_m"]) k.tolerance_m = number(t, join(path, "tolerance_m"), 0.0, 1000.0);
    return k;
  }

  // Every shape of a category declares the same keypoint names (COCO keeps them per category), and
  // the same skeleton where it gives one; the category takes them. Shapes are checked in config order.
  void collect_keypoints(const YAML::Node& objs, SceneSpec& spec) {
    std::vector<std::string> first_where(spec.categories.size());
    auto visit = [&](const ShapeSpec& shape, std::uint32_t category_id, const YAML::Node& node, const std::string& path) {
      if (category_id == 0) {
        if (!shape.keypoints.names.empty()) fail(node["keypoints"], join(path, "keypoints"), "an unlabeled object has no keypoint labels");
        return;
      }
      CategorySpec& c = spec.categories[category_id - 1];
      std::string& first = first_where[category_id - 1];
      const std::string here = where(node) + ": " + path;
      if (first.empty()) {
        first = here;
        c.keypoints = shape.keypoints.names;
        c.skeleton = shape.keypoints.skeleton;
        return;
      }
      if (shape.keypoints.names != c.keypoints) {
        fail(node, join(path, "keypoints"),
             "category '" + c.name + "' has " + (c.keypoints.empty() ? "no keypoints" : "keypoints [" + join_names(c.keypoints) + "]") +
                 " from " + first + "; every shape of a category must declare the same keypoint names in the same order");
      }
      if (!shape.keypoints.skeleton.empty()) {
        if (c.skeleton.empty()) c.skeleton = shape.keypoints.skeleton;
        else if (c.skeleton != shape.keypoints.skeleton) {
          fail(node["keypoints"]["skeleton"], join(path, "keypoints.skeleton"),
               "differs from the skeleton category '" + c.name + "' already has; give the same edges or leave it out");
        }
      }
    };
    for (std::size_t i = 0; i < spec.objects.size(); ++i) {
      const ObjectSpec& o = spec.objects[i];
      const std::string path = "objects[" + std::to_string(i) + "]";
      if (o.pool.empty()) {
        visit(o.shape, o.labeled ? o.category_id : 0, objs[i], path);
        continue;
      }
      for (std::size_t j = 0; j < o.pool.size(); ++j) {
        const std::int64_t k = o.pool[j].source_entry;  // the YAML entry (an asset glob makes several of one)
        visit(o.pool[j].shape, o.labeled ? o.pool[j].category_id : 0, k < 0 ? objs[i] : objs[i]["pool"][static_cast<std::size_t>(k)],
              k < 0 ? path : path + ".pool[" + std::to_string(k) + "]");
      }
    }
  }

  static std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
      if (!out.empty()) out += ", ";
      out += n;
    }
    return out;
  }

  std::uint32_t category_id(const YAML::Node& c, const std::string& path, const SceneSpec& spec) {
    const std::string name = string(c, path);
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      names.push_back(spec.categories[i].name);
      if (spec.categories[i].name == name) return static_cast<std::uint32_t>(i + 1);
    }
    fail(c, path, "unknown category '" + name + "'" + suggest(name, names));
  }

  // An asset given as a glob ("models/*.glb") or a folder ("models/"): its mesh files, sorted by
  // name; empty when the asset is one file. None matching is an error.
  std::vector<std::filesystem::path> asset_set(const ShapeSpec& shape, const YAML::Node& at, const std::string& key) {
    if (shape.primitive) return {};
    const std::string pattern = shape.asset.string();
    std::error_code ec;
    const bool folder = std::filesystem::is_directory(shape.asset, ec);
    if (!folder && pattern.find_first_of("*?[") == std::string::npos) return {};
    std::vector<std::filesystem::path> out;
    if (folder) {
      static const std::set<std::string> k_mesh_ext = {".glb", ".gltf", ".obj", ".ply", ".stl", ".off", ".fbx", ".dae", ".3ds"};
      for (const auto& e : std::filesystem::directory_iterator(shape.asset, ec)) {
        std::string ext = e.path().extension().string();
        for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (e.is_regular_file(ec) && k_mesh_ext.count(ext)) out.push_back(e.path());
      }
      std::sort(out.begin(), out.end());
    } else {
      glob_t g{};
      if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {  // sorted by name
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
          if (std::filesystem::is_regular_file(g.gl_pathv[i], ec)) out.emplace_back(g.gl_pathv[i]);
        }
      }
      globfree(&g);
    }
    if (out.empty()) fail(at, key, "'" + at.Scalar() + "' matches no mesh file" + (folder ? " (.glb, .gltf, .obj, .ply, ...)" : ""));
    if (out.size() > k_max_asset_set) fail(at, key, "'" + at.Scalar() + "' matches more than " + std::to_string(k_max_asset_set) + " files");
    return out;
  }

  // The entry once per file of its asset set (each a share `weight / files` of its weight).
  void add_pool_entries(const PoolEntry& entry, const std::vector<std::filesystem::path>& files, double weight, ObjectSpec& o,
                        std::vector<double>& weights) {
    if (files.empty()) {
      o.pool.push_back(entry);
      weights.push_back(weight);
      return;
    }
    for (const auto& f : files) {
      PoolEntry e = entry;
      e.shape.asset = f;
      e.shape.name = f.filename().string();
      o.pool.push_back(std::move(e));
      weights.push_back(weight / static_cast<double>(files.size()));
    }
  }

  // pool: [{primitive|asset, normalize, category, weight}, ...] and optional category_weights:
  // {category: weight}. Without category weights an entry's chance is its weight over the sum; with
  // them a category's chance is its weight over theirs, shared among its entries by entry weight.
  void parse_pool(const YAML::Node& pool, const YAML::Node& category_weights, const std::string& path, ObjectSpec& o,
                  const SceneSpec& spec) {
    if (!pool.IsSequence() || pool.size() == 0) fail(pool, path, "expected a non-empty list of {primitive|asset, category, weight}");
    std::vector<double> weight;
    for (std::size_t j = 0; j < pool.size(); ++j) {
      const std::string ep = path + "[" + std::to_string(j) + "]";
      const YAML::Node e = pool[j];
      expect_map(e, ep);
      check_schema_keys(e, ep, "objects[].pool[]");
      PoolEntry entry;
      entry.source_entry = static_cast<std::int64_t>(j);
      entry.shape = parse_shape(e, ep);
      if (auto c = e["category"]) {
        if (!o.labeled) fail(c, join(ep, "category"), "an unlabeled object (labeled: false) has no category");
        entry.category_id = category_id(c, join(ep, "category"), spec);
        if (spec.categories[entry.category_id - 1].stuff) {
          fail(c, join(ep, "category"), "'" + c.Scalar() + "' is a stuff category: pool entries take thing categories "
                                        "(give a stuff category to a whole object)");
        }
      } else if (o.labeled) {
        fail(e, join(ep, "category"), "missing: entries of a labeled object's pool need a category");
      }
      const double w = e["weight"] ? number(e["weight"], join(ep, "weight")) : 1.0;
      if (!(w > 0)) fail(e["weight"], join(ep, "weight"), "must be > 0");
      add_pool_entries(entry, asset_set(entry.shape, e["asset"], join(ep, "asset")), w, o, weight);
    }
    if (category_weights) {
      const std::string cp = join(path.substr(0, path.size() - 5), "category_weights");
      if (!category_weights.IsMap() || category_weights.size() == 0) {
        fail(category_weights, cp, "expected {category: weight, ...}");
      }
      if (!o.labeled) fail(category_weights, cp, "an unlabeled object has no categories");
      std::map<std::uint32_t, double> cw, in_category;
      for (const auto& kv : category_weights) {
        const std::uint32_t id = category_id(kv.first, cp, spec);
        bool used = false;
        for (const auto& entry : o.pool) used = used || entry.category_id == id;
        if (!used) fail(kv.first, cp, "no pool entry has category '" + kv.first.Scalar() + "'");
        const double w = number(kv.second, join(cp, kv.first.Scalar()));
        if (w < 0) fail(kv.second, join(cp, kv.first.Scalar()), "must be >= 0");
        if (!cw.emplace(id, w).second) fail(kv.first, cp, "category '" + kv.first.Scalar() + "' is listed twice");
      }
      double total = 0;
      for (const auto& [id, w] : cw) total += w;
      if (!(total > 0)) fail(category_weights, cp, "weights must not all be 0");
      for (std::size_t j = 0; j < o.pool.size(); ++j) in_category[o.pool[j].category_id] += weight[j];
      for (std::size_t j = 0; j < o.pool.size(); ++j) {
        const auto id = o.pool[j].category_id;
        const double c = cw.count(id) ? cw[id] : 0.0;  // a category left out of the weights is never drawn
        o.pool[j].probability = c / total * weight[j] / in_category[id];
      }
    } else {
      double total = 0;
      for (double w : weight) total += w;
      for (std::size_t j = 0; j < o.pool.size(); ++j) o.pool[j].probability = weight[j] / total;
    }
  }

  void parse_placement(const YAML::Node& n, const std::string& path, ObjectSpec& o) {
    if (n["count"]) o.count = int_dist(n["count"], join(path, "count"), 0, k_max_count_per_object);
    if (auto s = n["scale"]) {
      if (s.IsSequence() || (s.IsMap() && s["uniform"] && s["uniform"].IsSequence() && s["uniform"].size() == 2 &&
                             s["uniform"][0].IsSequence())) {
        o.scale = vec3_dist(s, join(path, "scale"), 1e-6, 1e6);
        o.uniform_scale = false;
      } else {
        o.scale[0] = scalar_dist(s, join(path, "scale"), 1e-6, 1e6);
        o.uniform_scale = true;
      }
    }
    if (n["position"]) o.position = vec3_dist(n["position"], join(path, "position"));
    if (auto r = n["rotation"]) {
      if (r.IsScalar()) {
        if (r.Scalar() != "uniform") {
          fail(r, join(path, "rotation"), "expected 'uniform' or Euler angles in degrees [x, y, z]");
        }
        o.rotation.uniform_so3 = true;
      } else {
        o.rotation.euler_deg = vec3_dist(r, join(path, "rotation"));
      }
    }
    if (n["color"]) o.color = vec3_dist(n["color"], join(path, "color"), 0.0, 1.0);
  }

 private:
  std::string m_file;
  std::filesystem::path m_base;
  std::vector<std::pair<std::string, YAML::Node>> m_overrides;  // label, value node
  struct Included {
    std::string name;
    std::filesystem::path dir;
    YAML::Node root;
  };
  std::vector<Included> m_includes;
  std::vector<std::filesystem::path> m_include_roots;
  std::string m_first_sweep;
  std::size_t m_documents = 0;
  std::uint64_t m_values_left = k_max_config_values;

  // False once the budget is spent or aliases nest deeper than a parsed document can (a cycle).
  bool count_values(const YAML::Node& n, int depth) {
    if (m_values_left == 0 || depth > 512) return false;
    --m_values_left;
    if (n.IsSequence()) {
      for (const auto& c : n) {
        if (!count_values(c, depth + 1)) return false;
      }
    } else if (n.IsMap()) {
      for (const auto& kv : n) {
        if (!count_values(kv.first, depth + 1) || !count_values(kv.second, depth + 1)) return false;
      }
    }
    return true;
  }
};

}  // namespace

Result<SceneSpec> parse_config(std::string_view text, const std::filesystem::path& display_name,
                               const std::filesystem::path& base_dir, const std::vector<std::string>& overrides,
                               const std::filesystem::path& asset_root) {
  auto parser = std::make_shared<Parser>(display_name.string(), base_dir);
  if (!asset_root.empty()) {
    auto root = resolve_asset_root(asset_root);
    if (!root) return root.error();
    parser->confine_includes({*root, base_dir});
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    parser->charge(root, display_name.string());
    std::vector<std::string> stack = {display_name.lexically_normal().string()};
    root = parser->load_with_includes(root, base_dir, stack);
    for (const auto& o : overrides) parser->apply_override(root, o);
    SceneSpec spec = parser->parse(root);
    spec.source = display_name;
    return spec;
  } catch (const ConfigFailure& f) {
    return make_error(ExitCode::usage, f.message);
  } catch (const YAML::DeepRecursion& e) {
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML nested more than " + std::to_string(e.depth() - 1) +
                                           " levels deep; a scene config needs a handful");
  } catch (const YAML::Exception& e) {
    // Syntax errors: yaml-cpp's mark is 0-based.
    std::string msg = display_name.string();
    if (!e.mark.is_null()) msg += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return make_error(ExitCode::usage, msg + ": YAML syntax error: " + e.msg);
  }
}

Result<SceneSpec> load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides,
                              const std::filesystem::path& asset_root) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ExitCode::usage, path.string() + ": not a regular file (a config is a YAML file)");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > k_max_config_bytes) {
    return make_error(ExitCode::usage, path.string() + ": the config is " + std::to_string(size) +
                                           " bytes; the limit is " + std::to_string(k_max_config_bytes));
  }
  auto text = read_text_file(path);
  if (!text) return make_error(ExitCode::usage, text.error().message);
  return parse_config(*text, path, path.parent_path(), overrides, asset_root);
}

// --asset-root resolved (symlinks and ".." included); empty when none was given.
Result<std::filesystem::path> resolve_asset_root(const std::filesystem::path& asset_root) {
  if (asset_root.empty()) return std::filesystem::path();
  std::error_code ec;
  auto root = std::filesystem::weakly_canonical(asset_root, ec);
  if (ec || !std::filesystem::is_directory(root)) {
    return make_error(ExitCode::usage, "--asset-root '" + asset_root.string() + "' is not a folder");
  }
  return root;
}

// Fails when `file` lies outside `root` once symlinks and ".." are resolved (no check without a root).
Status check_inside_root(const std::filesystem::path& root, const std::filesystem::path& file, const std::string& where) {
  if (root.empty() || lies_inside(file, root)) return ok_status();
  return make_error(ExitCode::asset, where + ": " + file.string() + " is outside --asset-root " + root.string());
}

Result<std::vector<Mesh>> load_meshes(SceneSpec& spec, const std::filesystem::path& asset_root) {
  auto root_r = resolve_asset_root(asset_root);
  if (!root_r) return root_r.error();
  const std::filesystem::path root = *root_r;
  std::vector<Mesh> meshes;
  std::map<std::string, std::uint32_t> index;  // dedupe key -> mesh index
  auto add = [&](ShapeSpec& shape) -> Status {
    const AssetOptions options{shape.normalize, shape.unit_scale, shape.z_up, root};
    const std::string key = shape.primitive ? "primitive:" + std::string(primitive_name(*shape.primitive))
                                            : "asset:" + std::string(options.normalize ? "n:" : "r:") +
                                                  (options.z_up ? "z:" : "y:") + std::to_string(options.unit_scale) +
                                                  ":" + shape.asset.string();
    if (auto it = index.find(key); it != index.end()) {
      shape.mesh_index = it->second;
      return ok_status();
    }
    if (shape.primitive) {
      meshes.push_back(make_primitive(*shape.primitive));
    } else {
      SL_TRY_STATUS(check_inside_root(root, shape.asset, shape.where));
      auto mesh = load_mesh_asset(shape.asset, options);
      if (!mesh) return make_error(ExitCode::asset, shape.where + ": " + mesh.error().message);
      meshes.push_back(std::move(mesh).value());
    }
    shape.mesh_index = static_cast<std::uint32_t>(meshes.size() - 1);
    index.emplace(key, shape.mesh_index);
    return ok_status();
  };
  // Keypoints follow the vertices: the file's coordinates through units, up axis and normalize.
  auto place_keypoints = [&](ShapeSpec& shape) {
    const glm::dmat4& from_file = meshes[shape.mesh_index].from_file;
    shape.keypoints.mesh_points.clear();
    for (const glm::dvec3& p : shape.keypoints.points) shape.keypoints.mesh_points.emplace_back(from_file * glm::dvec4(p, 1.0));
  };
  for (auto& o : spec.objects) {
    if (o.pool.empty()) {
      SL_TRY_STATUS(add(o.shape));
      place_keypoints(o.shape);
    }
    for (auto& e : o.pool) {
      SL_TRY_STATUS(add(e.shape));
      place_keypoints(e.shape);
    }
  }
  return meshes;
}

// ---- Properties: getters over one randomizer entry, validated by the same rules as the rest ----

Properties::Properties(std::shared_ptr<Impl> impl) : m_impl(std::move(impl)) {}

const std::string& Properties::type() const { return m_impl->type; }
const std::string& Properties::path() const { return m_impl->path; }
std::string Properties::where() const { return m_impl->parser->where(m_impl->node["type"]); }

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
        if constexpr (std::is_same_v<T, double>) return Parser::fmt(v);
        else if constexpr (std::is_same_v<T, Uniform>) return "{uniform: [" + Parser::fmt(v.lo) + ", " + Parser::fmt(v.hi) + "]}";
        else if constexpr (std::is_same_v<T, LogUniform>) return "{loguniform: [" + Parser::fmt(v.lo) + ", " + Parser::fmt(v.hi) + "]}";
        else if constexpr (std::is_same_v<T, Normal>) return "{normal: [" + Parser::fmt(v.mean) + ", " + Parser::fmt(v.stddev) + "]}";
        else return "(a distribution)";
      },
      d);
}
std::string fmt_range(double lo, double hi) { return "[" + Parser::fmt(lo) + ", " + Parser::fmt(hi) + "]"; }
// Called only when describing (`if (m_impl->described)`), so a normal load formats nothing.
void describe(const Properties::Impl& p, std::string_view key, std::string kind, std::string fallback, std::string range) {
  p.described->push_back({std::string(key), std::move(kind), std::move(fallback), std::move(range)});
}
}  // namespace

// Describing, every key is "given" (so a factory's "needs one of" checks let it go on to ask for all).
bool Properties::has(std::string_view key) const { return m_impl->described != nullptr || value_at(*m_impl, key).IsDefined(); }

Properties Properties::describing(const std::string& type, std::vector<ParamInfo>& out) {
  auto impl = std::make_shared<Impl>();
  impl->parser = std::make_shared<Parser>("randomizers " + type, std::filesystem::path());
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
  return n.IsDefined() ? m_impl->parser->scalar_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

Vec3Dist Properties::vec3(std::string_view key, Vec3Dist fallback, double lo, double hi) const {
  if (m_impl->described) describe(*m_impl, key, "[x, y, z] of numbers or distributions",
           "[" + fmt_dist(fallback[0]) + ", " + fmt_dist(fallback[1]) + ", " + fmt_dist(fallback[2]) + "]", fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->parser->vec3_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

IntDist Properties::count(std::string_view key, IntDist fallback, std::int64_t lo, std::int64_t hi) const {
  if (m_impl->described) describe(*m_impl, key, "count: whole number, {range: [lo, hi]} or {choice: [...]}",
           std::holds_alternative<std::int64_t>(fallback) ? std::to_string(std::get<std::int64_t>(fallback)) : "(a distribution)",
           "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->parser->int_dist(n, key_path(*m_impl, key), lo, hi) : fallback;
}

double Properties::number(std::string_view key, double fallback, double lo, double hi) const {
  if (m_impl->described) describe(*m_impl, key, "number", Parser::fmt(fallback), fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const double v = m_impl->parser->number(n, key_path(*m_impl, key));
  if (v < lo || v > hi) {
    m_impl->parser->fail(n, key_path(*m_impl, key),
                         "expected a number in [" + Parser::fmt(lo) + ", " + Parser::fmt(hi) + "], got " + Parser::fmt(v));
  }
  return v;
}

std::int64_t Properties::integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
  if (m_impl->described) describe(*m_impl, key, "whole number", std::to_string(fallback), "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const std::int64_t v = m_impl->parser->integer(n, key_path(*m_impl, key));
  if (v < lo || v > hi) {
    m_impl->parser->fail(n, key_path(*m_impl, key),
                         "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                             std::to_string(v));
  }
  return v;
}

bool Properties::boolean(std::string_view key, bool fallback) const {
  if (m_impl->described) describe(*m_impl, key, "true or false", fallback ? "true" : "false", "");
  const YAML::Node n = value_at(*m_impl, key);
  return n.IsDefined() ? m_impl->parser->boolean(n, key_path(*m_impl, key)) : fallback;
}

std::string Properties::choice(std::string_view key, std::string_view fallback, std::vector<std::string_view> allowed) const {
  if (m_impl->described) {
    std::string values;
    for (auto a : allowed) values += (values.empty() ? "" : " | ") + std::string(a);
    describe(*m_impl, key, "one of", std::string(fallback), values);
  }
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return std::string(fallback);
  const std::string v = m_impl->parser->string(n, key_path(*m_impl, key));
  for (auto a : allowed) {
    if (a == v) return v;
  }
  m_impl->parser->fail(n, key_path(*m_impl, key), "unknown value '" + v + "'" + suggest(v, allowed));
}

std::vector<std::string> Properties::names(std::string_view key) const {
  if (m_impl->described) describe(*m_impl, key, "a name or a list of names", "", "");
  const YAML::Node n = value_at(*m_impl, key);
  std::vector<std::string> out;
  if (!n.IsDefined()) return out;
  const std::string path = key_path(*m_impl, key);
  if (n.IsScalar()) {
    out.push_back(m_impl->parser->string(n, path));
  } else if (n.IsSequence() && n.size() > 0) {
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(m_impl->parser->string(n[i], path + "[" + std::to_string(i) + "]"));
  } else {
    m_impl->parser->fail(n, path, "expected a name or a non-empty list of names");
  }
  return out;
}

std::pair<double, double> Properties::interval(std::string_view key, std::pair<double, double> fallback, double lo,
                                               double hi) const {
  if (m_impl->described) describe(*m_impl, key, "[a, b] with a <= b", fmt_range(fallback.first, fallback.second), fmt_range(lo, hi));
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return fallback;
  const std::string path = key_path(*m_impl, key);
  const auto v = m_impl->parser->number_list(n, path, 2);
  if (v[0] > v[1]) m_impl->parser->fail(n, path, "min " + Parser::fmt(v[0]) + " is greater than max " + Parser::fmt(v[1]));
  if (v[0] < lo || v[1] > hi) {
    m_impl->parser->fail(n, path, "values must lie in [" + Parser::fmt(lo) + ", " + Parser::fmt(hi) + "]");
  }
  return {v[0], v[1]};
}

std::filesystem::path Properties::file_path(std::string_view key) const {
  if (m_impl->described) describe(*m_impl, key, "a path, relative to the config", "", "");
  const YAML::Node n = value_at(*m_impl, key);
  if (!n.IsDefined()) return {};
  const std::filesystem::path rel = m_impl->parser->string(n, key_path(*m_impl, key));
  return rel.is_absolute() ? rel : (m_impl->parser->source_of(n).second / rel).lexically_normal();
}

std::string Properties::where_of(std::string_view key) const {
  const YAML::Node& node = m_impl->node;
  const YAML::Node n = node[std::string(key)];
  return m_impl->parser->where(n.IsDefined() ? n : node) + ": " + key_path(*m_impl, key);
}

void Properties::fail(std::string_view key, const std::string& what) const {
  const YAML::Node& node = m_impl->node;
  const YAML::Node n = node[std::string(key)];
  m_impl->parser->fail(n.IsDefined() ? n : node, key_path(*m_impl, key), what);
}

void Properties::check_unused() const {
  std::vector<std::string_view> known(m_impl->asked.begin(), m_impl->asked.end());
  known.push_back("type");
  for (const auto& kv : m_impl->node) {
    const std::string& k = kv.first.Scalar();
    if (k == "type" || m_impl->asked.count(k)) continue;
    m_impl->parser->fail(kv.first, key_path(*m_impl, k),
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
std::string Properties::first_sweep() const { return m_impl->parser->first_sweep(); }

Result<std::vector<EnvironmentMap>> load_environments(const SceneSpec& spec, const std::filesystem::path& asset_root) {
  std::vector<EnvironmentMap> maps;
  if (!spec.environment) return maps;
  auto root = resolve_asset_root(asset_root);
  if (!root) return root.error();
  const EnvironmentSpec& env = *spec.environment;
  if (env.sky) maps.push_back(make_sky(*env.sky));
  for (std::size_t i = 0; i < env.maps.size(); ++i) {
    SL_TRY_STATUS(check_inside_root(*root, env.maps[i], env.where[i]));
    auto map = load_environment(env.maps[i]);
    if (!map) return make_error(ExitCode::asset, env.where[i] + ": " + map.error().message);
    maps.push_back(std::move(map).value());
  }
  return maps;
}

}  // namespace synthlabel
