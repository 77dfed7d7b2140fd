#include "scenes/CameraFiles.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <sstream>

#include <glm/gtc/quaternion.hpp>
#include <nlohmann/json.hpp>

namespace synthlabel {
namespace {

// A matrix node: {rows, cols, data} (with or without OpenCV's tag or type_id) or a plain list.
std::optional<std::vector<double>> matrix_data(const YAML::Node& n, std::string& why) {
  YAML::Node data = n.IsMap() ? n["data"] : n;
  if (!data || !data.IsSequence()) {
    why = "expected {rows, cols, data: [...]} or a list of numbers";
    return std::nullopt;
  }
  std::vector<double> out;
  for (const auto& v : data) {
    double x = 0;
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, x) || !std::isfinite(x)) {
      why = "data holds a value that is not a finite number";
      return std::nullopt;
    }
    out.push_back(x);
  }
  if (n.IsMap() && n["rows"] && n["cols"]) {
    std::int64_t rows = 0, cols = 0;
    if (!YAML::convert<std::int64_t>::decode(n["rows"], rows) || !YAML::convert<std::int64_t>::decode(n["cols"], cols) ||
        rows * cols != static_cast<std::int64_t>(out.size())) {
      why = "rows x cols does not match the number of values in data";
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

Result<CalibrationFile> parse_calibration(const std::string& text, const std::string& name) {
  // cv::FileStorage writes "%YAML:1.0" (not a YAML 1.2 directive) as its first line.
  std::string body = text;
  if (body.rfind("%YAML:", 0) == 0) body = body.substr(std::min(body.size(), body.find('\n')));
  YAML::Node root;
  try {
    root = YAML::Load(body);
  } catch (const YAML::Exception& e) {
    return make_error(ExitCode::usage, name + ": not an OpenCV calibration file (YAML/JSON): " + e.msg);
  }
  if (!root.IsMap()) return make_error(ExitCode::usage, name + ": expected camera_matrix and distortion_coefficients at the top level");
  CalibrationFile c;
  std::string why;
  const YAML::Node k = root["camera_matrix"];
  if (!k) return make_error(ExitCode::usage, name + ": no camera_matrix (a 3x3 OpenCV matrix)");
  const auto km = matrix_data(k, why);
  if (!km) return make_error(ExitCode::usage, name + ": camera_matrix: " + why);
  if (km->size() != 9) return make_error(ExitCode::usage, name + ": camera_matrix: expected 9 values (3x3), got " + std::to_string(km->size()));
  const auto& m = *km;
  if (m[1] != 0.0 || m[3] != 0.0 || m[6] != 0.0 || m[7] != 0.0 || m[8] != 1.0) {
    return make_error(ExitCode::usage, name + ": camera_matrix: expected [fx 0 cx; 0 fy cy; 0 0 1] (no skew)");
  }
  if (!(m[0] > 0.0) || !(m[4] > 0.0)) return make_error(ExitCode::usage, name + ": camera_matrix: fx and fy must be > 0");
  c.fx = m[0], c.fy = m[4], c.cx = m[2] + 0.5, c.cy = m[5] + 0.5;
  const YAML::Node d = root["distortion_coefficients"];
  if (!d) return make_error(ExitCode::usage, name + ": no distortion_coefficients");
  const auto dm = matrix_data(d, why);
  if (!dm) return make_error(ExitCode::usage, name + ": distortion_coefficients: " + why);
  c.distortion = *dm;
  if (const YAML::Node model = root["distortion_model"]) {
    const std::string s = model.IsScalar() ? model.Scalar() : "";
    if (s == "plumb_bob" || s == "rational_polynomial" || s == "radtan") c.model = LensModel::brown_conrady;
    else if (s == "equidistant" || s == "fisheye") c.model = LensModel::fisheye;
    else return make_error(ExitCode::usage, name + ": distortion_model '" + s + "': expected plumb_bob, rational_polynomial or equidistant");
  }
  for (const char* key : {"image_width", "image_height"}) {
    if (const YAML::Node v = root[key]) {
      std::uint32_t x = 0;
      if (!YAML::convert<std::uint32_t>::decode(v, x) || x == 0) return make_error(ExitCode::usage, name + ": " + key + ": expected a positive integer");
      (std::string(key) == "image_width" ? c.width : c.height) = x;
    }
  }
  return c;
}

Result<glm::dmat4> rigid_transform(const std::array<double, 16>& row_major) {
  glm::dmat4 t(1.0);
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) t[c][r] = row_major[static_cast<std::size_t>(4 * r + c)];  // glm: m[column][row]
  }
  if (t[0][3] != 0.0 || t[1][3] != 0.0 || t[2][3] != 0.0 || t[3][3] != 1.0) return make_error(ExitCode::usage, "the last row must be [0, 0, 0, 1]");
  const glm::dmat3 r(t);
  const glm::dmat3 rt = glm::transpose(r) * r;
  double off = std::abs(glm::determinant(r) - 1.0);
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) off = std::max(off, std::abs(rt[a][b] - (a == b ? 1.0 : 0.0)));
  }
  if (off > 1e-4) return make_error(ExitCode::usage, "the rotation part is not a rotation (orthonormal, determinant 1; no scale)");
  return t;
}

Result<std::vector<glm::dmat4>> parse_poses(const std::string& text, const std::string& name) {
  std::vector<glm::dmat4> out;
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      return make_error(ExitCode::usage, name + ": not valid JSON: " + e.what());
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string where = name + ": entry " + std::to_string(i);
      const nlohmann::json* m = &j[i];
      bool inverse = false;
      if (j[i].is_object()) {
        if (j[i].contains("world_to_camera")) m = &j[i]["world_to_camera"];
        else if (j[i].contains("camera_to_world")) m = &j[i]["camera_to_world"], inverse = true;
        else return make_error(ExitCode::usage, where + ": expected world_to_camera or camera_to_world (4x4, row-major)");
      }
      if (!m->is_array() || m->size() != 4) return make_error(ExitCode::usage, where + ": expected a 4x4 matrix (4 rows of 4 numbers)");
      std::array<double, 16> rows{};
      for (std::size_t r = 0; r < 4; ++r) {
        const auto& row = (*m)[r];
        if (!row.is_array() || row.size() != 4) return make_error(ExitCode::usage, where + ": expected a 4x4 matrix (4 rows of 4 numbers)");
        for (std::size_t col = 0; col < 4; ++col) {
          const auto& v = row[col];
          if (!v.is_number() || !std::isfinite(v.get<double>())) return make_error(ExitCode::usage, where + ": a value is not a finite number");
          rows[4 * r + col] = v.get<double>();
        }
      }
      auto t = rigid_transform(rows);
      if (!t) return make_error(ExitCode::usage, where + ": " + t.error().message);
      out.push_back(inverse ? glm::inverse(*t) : *t);
    }
  } else {
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      const auto hash = line.find('#');
      if (hash != std::string::npos) line.resize(hash);
      if (line.find_first_not_of(" \t\r,") == std::string::npos) continue;
      for (char& ch : line) {
        if (ch == ',') ch = ' ';
      }
      std::istringstream fields(line);
      double v[8];
      int n = 0;
      while (n < 8 && fields >> v[n]) ++n;
      std::string extra;
      if (n != 8 || (fields >> extra)) {
        return make_error(ExitCode::usage, name + ":" + std::to_string(number) + ": expected 'timestamp tx ty tz qx qy qz qw' (TUM trajectory format)");
      }
      bool finite = true;
      for (double x : v) finite = finite && std::isfinite(x);
      const glm::dquat q(v[7], v[4], v[5], v[6]);  // (w, x, y, z)
      const double norm = glm::length(q);
      if (!finite || std::abs(norm - 1.0) > 1e-3) {
        return make_error(ExitCode::usage, name + ":" + std::to_string(number) + ": the quaternion (qx qy qz qw) is not of unit length");
      }
      glm::dmat4 c2w = glm::dmat4(glm::mat3_cast(q / norm));
      c2w[3] = glm::dvec4(v[1], v[2], v[3], 1.0);
      out.push_back(glm::inverse(c2w));
    }
  }
  if (out.empty()) return make_error(ExitCode::usage, name + ": no poses in the file");
  return out;
}

}  // namespace synthlabel
