#include "scenes/config/Document.h"

#include <algorithm>

#include "core/FileIo.h"
#include "scenes/config/Reader.h"

namespace synthlabel::config {

void Document::charge(const YAML::Node& doc, const std::string& what) {
  if (!count_values(doc, 0)) {
    throw ConfigFailure{what + ": the config expands to more than " + std::to_string(k_max_config_values) +
                        " values (YAML aliases repeat what they name, or nest too deep); a scene config needs a few thousand"};
  }
}

std::string Document::where(const YAML::Node& n) const {
  // A node that came from a command-line override is named by the override, not a file position.
  for (const auto& [label, root] : m_overrides) {
    if (contains(root, n)) return label;
  }
  const YAML::Mark m = n.Mark();
  const std::string file = source_of(n).first;
  if (m.is_null()) return file;
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::pair<std::string, std::filesystem::path> Document::source_of(const YAML::Node& n) const {
  for (const auto& inc : m_includes) {
    if (contains(inc.root, n)) return {inc.name, inc.dir};
  }
  return {m_file, m_base};
}

YAML::Node Document::load_with_includes(const YAML::Node& root, const std::filesystem::path& dir, std::vector<std::string>& stack) {
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
    const std::filesystem::path rel = read_string(*this, name_node, "include");
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

YAML::Node Document::merge(const YAML::Node& base, const YAML::Node& over) {
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

bool Document::contains(const YAML::Node& root, const YAML::Node& n) {
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

void Document::remember_key(const YAML::Node& map, const std::string& key, const std::string& label) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) m_overrides.emplace_back(label, kv.first);
  }
}

void Document::apply_override(YAML::Node& root, const std::string& text) {
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

void Document::fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
  throw ConfigFailure{where(n) + ": " + key + ": " + what};
}

bool Document::count_values(const YAML::Node& n, int depth) {
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

std::string Document::read_named_file(const YAML::Node& n, const std::string& key, const std::filesystem::path& file) const {
  if (!m_include_roots.empty() &&
      std::none_of(m_include_roots.begin(), m_include_roots.end(), [&](const auto& r) { return lies_inside(file, r); })) {
    fail(n, key, "'" + file.string() + "' is outside --asset-root " + m_include_roots.front().string() + " and the config's own folder");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(n, key, "'" + file.string() + "' is not a readable file");
  auto text = read_bounded_file(file, k_max_config_bytes, key);
  if (!text) fail(n, key, text.error().message);
  return *text;
}

}  // namespace synthlabel::config
