// The resolved config as JSON (defaults filled in, paths resolved), recorded in manifest.json so a
// dataset says exactly what produced it. Distributions serialize in their YAML form.
#pragma once

#include <nlohmann/json.hpp>

#include "scenes/SceneSpec.h"

namespace synthlabel {

nlohmann::ordered_json to_json(const SceneSpec& spec);

}  // namespace synthlabel
