// Properties: the typed property bag one randomizer is built from (after Mitsuba's plugin
// Properties). The config loader fills one per entry of `randomizers:`; the randomizer's factory
// asks for each parameter by name and type, with its default and allowed range. Every getter
// validates the value where it stands in the YAML, so a problem is reported as
// `FILE:LINE:COL: randomizers[i].KEY: what was expected`, like any other config error. Keys the
// factory never asked for are reported by check_unused(), with a suggestion.
//
// Getters throw ConfigError; build_randomizers() (randomizers/Registry.h) turns it into an Error.
// yaml-cpp stays inside scenes/ (config/, Properties.cpp): this header names no YAML type.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "scenes/Distribution.h"

namespace synthlabel {

struct ConfigError {
  std::string message;
  ExitCode code = ExitCode::usage;  // asset: a file the config names is missing or unreadable
};

// A parameter a randomizer's factory asked for, as `synthlabel randomizers NAME` lists it.
struct ParamInfo {
  std::string key;
  std::string kind;      // "number or distribution", "whole number", "yes/no", "name", ...
  std::string fallback;  // the default, as config text ("" when none)
  std::string range;     // "[lo, hi]" or the allowed values ("" when any)
};

class Properties {
 public:
  struct Impl;
  explicit Properties(std::shared_ptr<Impl> impl);
  // An entry {type: TYPE} whose accessors also record what they are asked into `out` (each returns
  // its default): building a randomizer from it lists its parameters.
  static Properties describing(const std::string& type, std::vector<ParamInfo>& out);

  const std::string& type() const;  // the `type:` value, e.g. "place_on_surface"
  const std::string& path() const;  // "randomizers[2]", for messages
  std::string where() const;        // "FILE:LINE:COL" of the entry's `type:`
  bool has(std::string_view key) const;

  ScalarDist scalar(std::string_view key, ScalarDist fallback, double lo, double hi) const;
  Vec3Dist vec3(std::string_view key, Vec3Dist fallback, double lo, double hi) const;
  IntDist count(std::string_view key, IntDist fallback, std::int64_t lo, std::int64_t hi) const;
  double number(std::string_view key, double fallback, double lo, double hi) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const;
  bool boolean(std::string_view key, bool fallback) const;
  // A name from `allowed`; anything else is an error with a suggestion.
  std::string choice(std::string_view key, std::string_view fallback, std::vector<std::string_view> allowed) const;
  // A name or a list of names (empty when the key is absent).
  std::vector<std::string> names(std::string_view key) const;
  // Two numbers [a, b] with a <= b, each in [lo, hi].
  std::pair<double, double> interval(std::string_view key, std::pair<double, double> fallback, double lo,
                                     double hi) const;

  // A map of named entries, `key: {NAME: {...}, ...}`: the names, in the order written (none when the
  // key is absent; a value that is not a map of maps is an error at its position).
  std::vector<std::string> entry_names(std::string_view key) const;
  // Entry NAME of that map as a bag of its own (messages say `randomizers[i].KEY.NAME.PARAM`); call
  // its check_unused() once it has been read.
  Properties entry(std::string_view key, const std::string& name) const;

  // A path, resolved against the folder of the file it was written in; empty when absent.
  std::filesystem::path file_path(std::string_view key) const;
  // "FILE:LINE:COL: randomizers[i].KEY", for messages about the key's value (a missing file, say).
  std::string where_of(std::string_view key) const;

  // Fails at the key's position (or the entry's, when the key is absent) with `what`.
  [[noreturn]] void fail(std::string_view key, const std::string& what) const;
  // Fails on any key the factory did not ask for.
  void check_unused() const;
  // The entry as given (for the resolved config in manifest.json).
  nlohmann::ordered_json to_json() const;
  // "FILE:LINE:COL: KEY" of the first {sweep: ...} the config's loader has read so far (the config's
  // own keys and every randomizer parameter read by then), "" when none.
  std::string first_sweep() const;

 private:
  std::shared_ptr<Impl> m_impl;
};

}  // namespace synthlabel
