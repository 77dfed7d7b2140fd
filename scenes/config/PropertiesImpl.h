// What a Properties bag holds: the randomizer entry's node, read through the config's Reader (so
// positions in included files and overrides, and every typed check, are the built-in sections').
// Shared by the schema (which makes the bags) and scenes/Properties.cpp (which reads them).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "scenes/Properties.h"
#include "scenes/config/Reader.h"

namespace synthlabel {

struct Properties::Impl {
  std::shared_ptr<config::Reader> reader;
  YAML::Node node;   // the entry's mapping
  std::string path;  // "randomizers[i]"
  std::string type;
  mutable std::set<std::string, std::less<>> asked;  // keys the factory asked for
  std::vector<ParamInfo>* described = nullptr;       // Properties::describing: what was asked, recorded
};

}  // namespace synthlabel
