// bop: one BOP scene, bop/000000/: rgb/IM.png (the frame again), depth/IM.png (16-bit millimetres,
// depth_scale 1; 0 = no surface or beyond 65.535 m), mask/IM_GT.png (the unoccluded mask inside the
// image, from the render alone), mask_visib/IM_GT.png; at the end scene_camera.json, scene_gt.json
// (cam_R_m2c, cam_t_m2c in mm, obj_id = category id), scene_gt_info.json (bbox_obj, bbox_visib,
// px_count_all/valid/visib, visib_fract). IM is the frame index (6 digits), GT the object's index in
// the frame's list: every labeled instance with unoccluded pixels in the image, in instance-id order.
// Needs the amodal renders (listing bop turns them on) and the silhouettes beyond the image.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "exporters/formats/FormatSupport.h"

namespace synthlabel::formats {
namespace {

class Bop final : public LabelFormat {
 public:
  Status encode(const FrameLabels& f, FrameFiles& files, json& record) const override {
    const std::size_t pixels = std::size_t{f.width} * f.height;
    const PngOptions png = k_label_png;
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
                    {"obj_id", category_of(f, a.instance_id)}});
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
    return ok_status();
  }

  Status finish(const FinishContext& ctx) const override {
    const std::uint64_t first = ctx.first, count = ctx.count;
    const auto& load = ctx.load;
    const auto& put = ctx.put;
    json cams = json::object(), gts = json::object(), infos = json::object();
    for (std::uint64_t fr = first; fr < first + count; ++fr) {
      auto rec = load(fr);
      if (!rec) return rec.error();
      const std::string key = std::to_string(fr);
      cams[key] = (*rec)["bop"]["camera"];
      gts[key] = (*rec)["bop"]["gt"];
      infos[key] = (*rec)["bop"]["gt_info"];
    }
    SL_TRY_STATUS(put("bop/000000/scene_camera.json", cams.dump(1) + "\n"));
    SL_TRY_STATUS(put("bop/000000/scene_gt.json", gts.dump(1) + "\n"));
    SL_TRY_STATUS(put("bop/000000/scene_gt_info.json", infos.dump(1) + "\n"));
    return ok_status();
  }
};

}  // namespace

void register_bop(FormatRegistry& r) {
  r.add({.name = "bop",
          .summary = "BOP: one scene of rgb, depth (mm), mask, mask_visib and scene_camera/gt/gt_info.json",
          .folders = {"bop"},
          .files = {"bop/000000/scene_camera.json", "bop/000000/scene_gt.json", "bop/000000/scene_gt_info.json"},
          .needs_png_copy = true,
          .needs_amodal = true,
          .needs_beyond = true,
          .make = make_format<Bop>});
}

}  // namespace synthlabel::formats
