#include "exporters/Formats.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <cmath>
#include <map>
#include <string_view>

#include "core/FileIo.h"
#include "exporters/DatasetWriter.h"
#include "exporters/FillPolygon.h"
#include "exporters/Png.h"
#include "exporters/Polygons.h"

namespace synthlabel {
namespace {

using json = nlohmann::ordered_json;

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string fixed6(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

std::array<std::uint8_t, 3> voc_colour(std::uint32_t index) {
  // The PASCAL VOC devkit's colour map: the bits of the index spread over the channels' high bits.
  std::array<std::uint8_t, 3> c{0, 0, 0};
  std::uint32_t id = index;
  for (int shift = 7; shift >= 0 && id != 0; --shift) {
    for (int ch = 0; ch < 3; ++ch) c[static_cast<std::size_t>(ch)] |= static_cast<std::uint8_t>(((id >> ch) & 1u) << shift);
    id >>= 3;
  }
  return c;
}

Status encode_formats(const OutputsSpec& outputs, const FrameLabels& f,
                      std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files, json& record) {
  const std::size_t pixels = std::size_t{f.width} * f.height;
  const PngOptions png{1, false};
  auto category = [&](std::uint32_t id) { return id < f.category_of.size() ? f.category_of[id] : 0u; };
  if (outputs.panoptic) {
    // Segment id: the instance id for things; category id x 65536 for a stuff category's pixels (one
    // segment per stuff category and frame; instance ids stay below 65536); 0 void.
    std::vector<std::uint8_t> rgba(pixels * 4, 255);
    std::map<std::uint32_t, InstanceLabel> stuff;  // stuff category -> its pixels' count and box
    for (std::size_t p = 0; p < pixels; ++p) {
      std::uint32_t id = f.ids[p];
      if (id == 0 && p < f.semantic.size() && f.semantic[p] != 0) {
        const std::uint32_t c = f.semantic[p];
        id = c << 16;
        const auto x = static_cast<std::uint32_t>(p % f.width), y = static_cast<std::uint32_t>(p / f.width);
        InstanceLabel& s = stuff[c];
        if (s.area++ == 0) s.x = x, s.y = y, s.w = 1, s.h = 1;
        const std::uint32_t x1 = std::max(s.x + s.w, x + 1), y1 = std::max(s.y + s.h, y + 1);
        s.x = std::min(s.x, x), s.y = std::min(s.y, y), s.w = x1 - s.x, s.h = y1 - s.y;
      }
      rgba[4 * p] = static_cast<std::uint8_t>(id & 0xff);
      rgba[4 * p + 1] = static_cast<std::uint8_t>((id >> 8) & 0xff);
      rgba[4 * p + 2] = static_cast<std::uint8_t>((id >> 16) & 0xff);
    }
    auto encoded = encode_png_rgb_from_rgba(rgba, f.width, f.height, png);
    if (!encoded) return encoded.error();
    const std::string name = "panoptic/" + f.stem + ".png";
    files.emplace_back(name, std::move(encoded).value());
    json segments = json::array();
    for (const InstanceLabel& l : f.labels) {
      segments.push_back({{"id", l.instance_id}, {"category_id", category(l.instance_id)}, {"area", l.area},
                          {"bbox", {l.x, l.y, l.w, l.h}}, {"iscrowd", 0}});
    }
    for (const auto& [c, s] : stuff) {
      segments.push_back({{"id", c << 16}, {"category_id", c}, {"area", s.area}, {"bbox", {s.x, s.y, s.w, s.h}}, {"iscrowd", 0}});
    }
    // file_name is relative to the segmentation folder, panoptic/ (panoptic.json's name less ".json"),
    // as COCO's panoptic files name them and panopticapi's pq_compute looks for them by default.
    record["panoptic"] = {{"file_name", f.stem + ".png"}, {"segments_info", std::move(segments)}};
  }
  if (outputs.cityscapes) {
    std::vector<std::uint8_t> label_ids(pixels), colour(pixels * 4, 255);
    std::vector<std::uint16_t> instance_ids(pixels);
    std::map<std::uint32_t, std::uint32_t> next_k;  // per category
    std::vector<std::uint32_t> city_id(f.category_of.size(), 0);
    for (const InstanceLabel& l : f.labels) {  // increasing instance id
      const std::uint32_t c = category(l.instance_id);
      city_id[l.instance_id] = c * 1000 + next_k[c]++;
    }
    // labelIds: every pixel's category (stuff and background too); instanceIds: category x 1000 + k
    // for things, the category id alone elsewhere, as Cityscapes writes classes without instances.
    for (std::size_t p = 0; p < pixels; ++p) {
      const std::uint32_t id = f.ids[p], c = p < f.semantic.size() ? f.semantic[p] : category(id);
      label_ids[p] = static_cast<std::uint8_t>(c);
      instance_ids[p] = static_cast<std::uint16_t>(id != 0 && id < city_id.size() ? city_id[id] : c);
      const auto rgb = voc_colour(c);
      for (std::size_t k = 0; k < 3; ++k) colour[4 * p + k] = rgb[k];
    }
    auto a = encode_png_gray8(label_ids, f.width, f.height, png);
    auto b = encode_png_gray16(instance_ids, f.width, f.height, png);
    auto c = encode_png_rgb_from_rgba(colour, f.width, f.height, png);
    if (!a) return a.error();
    if (!b) return b.error();
    if (!c) return c.error();
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_labelIds.png", std::move(a).value());
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_instanceIds.png", std::move(b).value());
    files.emplace_back("cityscapes/" + f.stem + "_gtFine_color.png", std::move(c).value());
  }
  if (outputs.voc) {
    std::array<std::array<std::uint8_t, 3>, 256> palette{};
    for (std::uint32_t i = 0; i < 256; ++i) palette[i] = voc_colour(i);
    // SegmentationObject: pixel value k belongs to the k-th <object> of the frame's annotation file
    // (1-based, the order of `labels`: increasing instance id), as VOC pairs object images with
    // their XML; 0 background. Not the instance id: a hidden instance has no <object>, so ids would
    // shift every later object. The config loader caps VOC datasets at 255 labeled instances.
    std::vector<std::uint8_t> object_index(f.category_of.size(), 0);
    for (std::size_t k = 0; k < f.labels.size(); ++k) object_index[f.labels[k].instance_id] = static_cast<std::uint8_t>(k + 1);
    std::vector<std::uint8_t> cls(pixels), obj(pixels);
    for (std::size_t p = 0; p < pixels; ++p) {
      cls[p] = static_cast<std::uint8_t>(category(f.ids[p]));
      obj[p] = f.ids[p] < object_index.size() ? object_index[f.ids[p]] : 0;
    }
    auto a = encode_png_palette8(cls, f.width, f.height, palette, png);
    auto b = encode_png_palette8(obj, f.width, f.height, palette, png);
    if (!a) return a.error();
    if (!b) return b.error();
    files.emplace_back("voc/SegmentationClass/" + f.stem + ".png", std::move(a).value());
    files.emplace_back("voc/SegmentationObject/" + f.stem + ".png", std::move(b).value());
    std::string xml = "<annotation>\n  <folder>rgb</folder>\n  <filename>" + f.stem + ".png</filename>\n  <size><width>" +
                      std::to_string(f.width) + "</width><height>" + std::to_string(f.height) +
                      "</height><depth>3</depth></size>\n  <segmented>1</segmented>\n";
    for (const InstanceLabel& l : f.labels) {
      const std::uint32_t c = category(l.instance_id);
      const std::string name = c >= 1 && c <= f.category_names.size() ? f.category_names[c - 1] : std::to_string(c);
      xml += "  <object><name>" + xml_escape(name) +
             "</name><instance_id>" + std::to_string(l.instance_id) +
             "</instance_id><difficult>0</difficult><bndbox><xmin>" + std::to_string(l.x + 1) + "</xmin><ymin>" +
             std::to_string(l.y + 1) + "</ymin><xmax>" + std::to_string(l.x + l.w) + "</xmax><ymax>" +
             std::to_string(l.y + l.h) + "</ymax></bndbox></object>\n";
    }
    xml += "</annotation>\n";
    files.emplace_back("voc/Annotations/" + f.stem + ".xml", bytes_of(xml));
  }
  if (outputs.kitti) {
    constexpr double k_pi = 3.14159265358979323846;
    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const Instance* inst = nullptr;
      for (const Instance& i : f.instances) {
        if (i.instance_id == l.instance_id) inst = &i;
      }
      if (inst == nullptr || !inst->geometry.valid) continue;
      const InstanceGeometry& g = inst->geometry;
      const std::uint32_t c = category(l.instance_id);
      std::string type = c >= 1 && c <= f.category_names.size() ? f.category_names[c - 1] : std::to_string(c);
      std::replace(type.begin(), type.end(), ' ', '_');
      int occluded = 3;  // unknown without the unoccluded render
      for (const InstanceLabel& a : f.amodal) {
        if (a.instance_id != l.instance_id || a.area == 0) continue;
        const double vis = double(l.area) / double(a.area);
        occluded = vis >= 0.99 ? 0 : vis >= 0.5 ? 1 : 2;
      }
      // Object axes: x length, y height (up), z width (meshes are +Y up); camera frame OpenCV.
      const glm::dvec3 x_axis = g.rotation * glm::dvec3(1, 0, 0);
      const double rotation_y = std::atan2(-x_axis.z, x_axis.x);
      const glm::dvec3 bottom = g.box_centre + g.rotation * glm::dvec3(0, -0.5 * g.box_size.y, 0);
      double alpha = rotation_y - std::atan2(bottom.x, bottom.z);
      while (alpha > k_pi) alpha -= 2 * k_pi;
      while (alpha < -k_pi) alpha += 2 * k_pi;
      // The 2D box in continuous pixel coordinates (pixel u spans [u, u + 1)): left top right bottom =
      // x, y, x + w, y + h. KITTI's evaluation treats boxes as continuous: imageBoxOverlap takes
      // areas as (x2 - x1) * (y2 - y1) and the height filter as y2 - y1, with no + 1
      // (devkit_object/cpp/evaluate_object.cpp).
      txt += type + " " + fixed6(g.truncation) + " " + std::to_string(occluded) + " " + fixed6(alpha) + " " +
             fixed6(l.x) + " " + fixed6(l.y) + " " + fixed6(l.x + l.w) + " " + fixed6(l.y + l.h) + " " +
             fixed6(g.box_size.y) + " " + fixed6(g.box_size.z) + " " + fixed6(g.box_size.x) + " " + fixed6(bottom.x) +
             " " + fixed6(bottom.y) + " " + fixed6(bottom.z) + " " + fixed6(rotation_y) + "\n";
    }
    files.emplace_back("kitti/label_2/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("kitti/image_2/" + f.stem + ".png", std::vector<std::uint8_t>(f.rgb_png.begin(), f.rgb_png.end()));
    if (f.camera != nullptr) {
      const Camera& k = *f.camera;
      const std::string p = fixed6(k.fx) + " 0 " + fixed6(k.cx) + " 0 0 " + fixed6(k.fy) + " " + fixed6(k.cy) + " 0 0 0 1 0";
      std::string calib;
      for (char i = '0'; i < '4'; ++i) {
        calib += 'P';
        calib += i;
        calib += ": ";
        calib += p;
        calib += '\n';
      }
      calib += "R0_rect: 1 0 0 0 1 0 0 0 1\nTr_velo_to_cam: 1 0 0 0 0 1 0 0 0 0 1 0\nTr_imu_to_velo: 1 0 0 0 0 1 0 0 0 0 1 0\n";
      files.emplace_back("kitti/calib/" + f.stem + ".txt", bytes_of(calib));
    }
  }
  if (outputs.bop) {
    char im[16];
    std::snprintf(im, sizeof im, "%06llu", static_cast<unsigned long long>(f.frame));
    const std::string scene = "bop/000000/";
    files.emplace_back(scene + "rgb/" + im + ".png", std::vector<std::uint8_t>(f.rgb_png.begin(), f.rgb_png.end()));
    std::vector<std::uint16_t> mm(pixels, 0);
    for (std::size_t p = 0; p < pixels && p < f.depth.size(); ++p) {
      const double d = double(f.depth[p]) * 1000.0;
      if (std::isfinite(d) && d > 0 && d < 65535.5) mm[p] = static_cast<std::uint16_t>(std::lround(d));
    }
    auto depth = encode_png_gray16(mm, f.width, f.height, png);
    if (!depth) return depth.error();
    files.emplace_back(scene + "depth/" + im + ".png", std::move(depth).value());
    json gt = json::array(), info = json::array();
    std::size_t k = 0;
    for (const InstanceLabel& a : f.amodal) {  // increasing instance id
      if (a.area == 0) continue;
      const Instance* inst = nullptr;
      for (const Instance& i : f.instances) {
        if (i.instance_id == a.instance_id) inst = &i;
      }
      if (inst == nullptr || !inst->geometry.valid) continue;
      const InstanceLabel* vis = nullptr;
      for (const InstanceLabel& l : f.labels) {
        if (l.instance_id == a.instance_id) vis = &l;
      }
      std::vector<std::uint8_t> all(pixels, 0), visible(pixels, 0);
      std::size_t pos = 0;  // the RLE runs alternate 0, 1, ... over the pixels in column-major order
      for (std::size_t r = 0; r < a.rle_counts.size(); ++r) {
        for (std::uint32_t n = 0; n < a.rle_counts[r] && pos < pixels; ++n, ++pos) {
          if (r % 2 == 1) all[(pos % f.height) * f.width + pos / f.height] = 255;
        }
      }
      std::uint64_t valid = 0;  // unoccluded pixels with a depth (BOP's px_count_valid)
      for (std::size_t p = 0; p < pixels; ++p) {
        visible[p] = f.ids[p] == a.instance_id ? 255 : 0;
        valid += all[p] != 0 && mm[p] != 0;
      }
      char gt_name[32];
      std::snprintf(gt_name, sizeof gt_name, "%s_%06zu.png", im, k);
      auto m1 = encode_png_gray8(all, f.width, f.height, png);
      auto m2 = encode_png_gray8(visible, f.width, f.height, png);
      if (!m1) return m1.error();
      if (!m2) return m2.error();
      files.emplace_back(scene + "mask/" + gt_name, std::move(m1).value());
      files.emplace_back(scene + "mask_visib/" + gt_name, std::move(m2).value());
      const InstanceGeometry& g = inst->geometry;
      json r = json::array();
      for (int row = 0; row < 3; ++row) {
        for (int col = 0; col < 3; ++col) r.push_back(g.rotation[col][row]);
      }
      gt.push_back({{"cam_R_m2c", std::move(r)},
                    {"cam_t_m2c", {g.translation.x * 1000.0, g.translation.y * 1000.0, g.translation.z * 1000.0}},
                    {"obj_id", category(a.instance_id)}});
      // gt_info as the BOP toolkit's scripts/calc_gt_info.py computes it: px_count_all and bbox_obj
      // over the whole silhouette on a canvas 3x the image (in-image pixels from the render alone,
      // the rest from `beyond`); px_count_valid counts in-image silhouette pixels whose depth PNG is
      // non-zero; boxes are misc.calc_2d_bbox's [x, y, max - min, max - min] (not pixel counts), and
      // both are [-1, -1, -1, -1] when no pixel is visible.
      const std::uint64_t visib = vis ? vis->area : 0;
      std::int64_t x0 = a.x, y0 = a.y, x1 = std::int64_t{a.x} + a.w - 1, y1 = std::int64_t{a.y} + a.h - 1;
      std::uint64_t all_count = a.area;
      for (const SilhouetteBeyond& b : f.beyond) {
        if (b.instance_id != a.instance_id || b.pixels == 0) continue;
        all_count += b.pixels;
        x0 = std::min(x0, b.x0), y0 = std::min(y0, b.y0), x1 = std::max(x1, b.x1), y1 = std::max(y1, b.y1);
      }
      const json none = {-1, -1, -1, -1};
      info.push_back({{"bbox_obj", visib ? json{x0, y0, x1 - x0, y1 - y0} : none},
                      {"bbox_visib", vis ? json{vis->x, vis->y, vis->w - 1, vis->h - 1} : none},
                      {"px_count_all", all_count},
                      {"px_count_valid", valid},
                      {"px_count_visib", visib},
                      {"visib_fract", double(visib) / double(all_count)}});
      ++k;
    }
    const Camera& c = *f.camera;
    record["bop"] = {{"camera", {{"cam_K", {c.fx, 0.0, c.cx, 0.0, c.fy, c.cy, 0.0, 0.0, 1.0}}, {"depth_scale", 1.0}}},
                     {"gt", std::move(gt)},
                     {"gt_info", std::move(info)}};
  }
  if (outputs.yolo) {
    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const double cx = (l.x + 0.5 * l.w) / f.width, cy = (l.y + 0.5 * l.h) / f.height;
      txt += std::to_string(category(l.instance_id) - 1) + " " + fixed6(cx) + " " + fixed6(cy) + " " +
             fixed6(double(l.w) / f.width) + " " + fixed6(double(l.h) / f.height) + "\n";
    }
    files.emplace_back("yolo/labels/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("yolo/images/" + f.stem + std::string(f.rgb_ext), std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
  }
  if (outputs.yolo_seg) {
    // One polygon per object through its pixel centres, for OpenCV's fillPoly, which Ultralytics
    // rasterizes it with (exporters/FillPolygon.h); vertex (u, v) printed as the centre ((u + 0.5) / W,
    // (v + 0.5) / H), which Ultralytics' int32 cast of the denormalized point brings back to (u, v).
    std::string txt;
    for (const InstanceLabel& l : f.labels) {
      const auto poly = fillpoly_polygon(f.ids, f.width, f.height, l.instance_id, l.x, l.y, l.w, l.h);
      txt += std::to_string(category(l.instance_id) - 1);
      for (std::size_t k = 0; k + 1 < poly.size(); k += 2) {
        txt += ' ';
        txt += fixed6((poly[k] + 0.5) / f.width);
        txt += ' ';
        txt += fixed6((poly[k + 1] + 0.5) / f.height);
      }
      txt += "\n";
    }
    files.emplace_back("yolo_seg/labels/" + f.stem + ".txt", bytes_of(txt));
    files.emplace_back("yolo_seg/images/" + f.stem + std::string(f.rgb_ext), std::vector<std::uint8_t>(f.rgb_image.begin(), f.rgb_image.end()));
  }
  return ok_status();
}

Result<std::vector<std::pair<std::string, std::string>>> finish_formats(
    const OutputsSpec& outputs, const std::filesystem::path& out, const SceneSpec& spec, std::uint64_t first, std::uint64_t count,
    const std::function<Result<json>(std::uint64_t)>& load) {
  std::vector<std::pair<std::string, std::string>> written;  // path, content hash
  auto put = [&](const std::string& rel, const std::string& text) -> Status {
    SL_TRY_STATUS(write_file_atomic(out / rel, text));
    written.emplace_back(rel, content_hash({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}));
    return ok_status();
  };
  if (outputs.panoptic) {
    json images = json::array(), annotations = json::array(), categories = json::array();
    for (std::uint64_t fr = first; fr < first + count; ++fr) {
      auto rec = load(fr);
      if (!rec) return rec.error();
      const json& image = (*rec)["image"];
      images.push_back({{"id", image["id"]}, {"file_name", image["file_name"]}, {"width", image["width"]}, {"height", image["height"]}});
      json a = (*rec)["panoptic"];
      a["image_id"] = image["id"];
      annotations.push_back(std::move(a));
    }
    for (std::size_t i = 0; i < spec.categories.size(); ++i) {
      const auto c = voc_colour(static_cast<std::uint32_t>(i + 1));
      categories.push_back({{"id", i + 1}, {"name", spec.categories[i].name}, {"supercategory", spec.categories[i].supercategory},
                            {"isthing", spec.categories[i].stuff ? 0 : 1}, {"color", {c[0], c[1], c[2]}}});
    }
    const json panoptic = {{"info", {{"description", "synthlabel dataset, COCO panoptic"}}}, {"licenses", json::array()},
                           {"images", images}, {"annotations", annotations}, {"categories", categories}};
    SL_TRY_STATUS(put("panoptic.json", panoptic.dump() + "\n"));
  }
  if (outputs.voc) {
    std::string list, labels = "0 background\n";
    for (std::uint64_t fr = first; fr < first + count; ++fr) list += frame_stem(fr) + "\n";
    for (std::size_t i = 0; i < spec.categories.size(); ++i) labels += std::to_string(i + 1) + " " + spec.categories[i].name + "\n";
    std::error_code ec;
    std::filesystem::create_directories(out / "voc/ImageSets/Segmentation", ec);
    if (ec) return make_error(ExitCode::io, (out / "voc/ImageSets/Segmentation").string() + ": cannot create: " + ec.message());
    SL_TRY_STATUS(put("voc/ImageSets/Segmentation/all.txt", list));
    SL_TRY_STATUS(put("voc/labels.txt", labels));
  }
  if (outputs.bop) {
    json cams = json::object(), gts = json::object(), infos = json::object();
    for (std::uint64_t fr = first; fr < first + count; ++fr) {
      auto rec = load(fr);
      if (!rec) return rec.error();
      const std::string key = std::to_string(fr);
      cams[key] = (*rec)["bop"]["camera"];
      gts[key] = (*rec)["bop"]["gt"];
      infos[key] = (*rec)["bop"]["gt_info"];
    }
    std::error_code ec;
    std::filesystem::create_directories(out / "bop/000000", ec);
    if (ec) return make_error(ExitCode::io, (out / "bop/000000").string() + ": cannot create: " + ec.message());
    SL_TRY_STATUS(put("bop/000000/scene_camera.json", cams.dump(1) + "\n"));
    SL_TRY_STATUS(put("bop/000000/scene_gt.json", gts.dump(1) + "\n"));
    SL_TRY_STATUS(put("bop/000000/scene_gt_info.json", infos.dump(1) + "\n"));
  }
  // With splits: SPLIT.txt per split, one image a line as "./images/NNNNNN.png", which Ultralytics
  // resolves against the list's own folder (ultralytics/data/base.py, BaseDataset.get_img_files: a
  // line starting with "./" gets the list's parent), and its labels by /images/ -> /labels/. One pass
  // over the records serves yolo and yolo_seg alike.
  std::map<std::string, std::string> lists;
  if (outputs.yolo || outputs.yolo_seg) {
    for (const auto& [name, share] : spec.splits) lists[name];
  }
  if (!lists.empty()) {
    for (std::uint64_t fr = first; fr < first + count; ++fr) {
      auto rec = load(fr);
      if (!rec) return rec.error();
      const json& image = (*rec)["image"];
      const std::string split = image.value("split", std::string()), file = image.value("file_name", std::string());
      if (lists.count(split)) lists[split] += "./images/" + std::filesystem::path(file).filename().string() + "\n";
    }
  }
  for (const char* folder : {"yolo", "yolo_seg"}) {
    if (!(std::string_view(folder) == "yolo" ? outputs.yolo : outputs.yolo_seg)) continue;
    std::error_code ec;
    std::filesystem::create_directories(out / folder, ec);
    if (ec) return make_error(ExitCode::io, (out / folder).string() + ": cannot create: " + ec.message());
    for (const auto& [name, list] : lists) SL_TRY_STATUS(put(std::string(folder) + "/" + name + ".txt", list));
    std::string yaml;
    if (lists.count("train") && lists.count("val")) {
      yaml = "# Ultralytics YOLO dataset (written by synthlabel), split by the config's splits:.\n"
             "# No 'path': Ultralytics then resolves train/val against this file's folder.\ntrain: train.txt\nval: val.txt\n";
      if (lists.count("test")) yaml += "test: test.txt\n";
      yaml += "names:\n";
    } else {
      yaml = "# Ultralytics YOLO dataset (written by synthlabel): every frame is in 'train' and 'val';\n"
             "# give the config splits: {train: ..., val: ...} for held-out frames.\n"
             "# No 'path': Ultralytics then resolves train/val against this file's folder.\n"
             "train: images\nval: images\nnames:\n";
    }
    for (std::size_t i = 0; i < spec.categories.size() && !spec.categories[i].stuff; ++i) {  // things: classes 0..T-1
      std::string name;
      for (char ch : spec.categories[i].name) name += ch == '\'' ? std::string("''") : std::string(1, ch);
      yaml += "  " + std::to_string(i) + ": '" + name + "'\n";
    }
    SL_TRY_STATUS(put(std::string(folder) + "/data.yaml", yaml));
  }
  return written;
}

}  // namespace synthlabel
