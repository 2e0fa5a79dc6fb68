// Source `image_folder`: one subfolder per class of PNG/JPEG files, e.g. train/cat/1.png.
// Feeds the first input with u8 pixels [n, h, w, c] (c from the input: 1 grey, 3 RGB) and the
// target with the class index (subfolders in the order `data.classes` gives, else sorted by
// name). Files are decoded in parallel on the judge's cores. An image of another size than
// the input's is refused, or resampled bilinearly when `data.size: resize`.
#include "common/errors.hpp"
#include "common/text.hpp"
#include "formats/image.hpp"
#include "formats/limits.hpp"
#include "formats/source.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

namespace gauntlet::formats {
namespace {

namespace fs = std::filesystem;

class ImageFolderConfig final : public SourceConfig {
 public:
  std::map<std::string, fs::path> folders;  // set -> folder
  std::vector<std::string> classes;         // empty: sorted subfolder names
  bool resize = false;

  std::vector<std::string> sets() const override {
    return folders.count("all") ? std::vector<std::string>{"all"} : std::vector<std::string>{"train", "test"};
  }
  std::vector<fs::path> files() const override {
    std::vector<fs::path> out;
    for (const auto& [set, folder] : folders)
      for (const auto& [file, label] : list(folder)) out.push_back(file);
    return out;
  }
  nlohmann::json canonical() const override {
    nlohmann::json j = {{"classes", classes}, {"size", resize ? "resize" : "refuse"}};
    for (const auto& [set, folder] : folders) j[set] = folder.string();
    return j;
  }
  Table read(const std::string& set, const std::vector<TensorWant>& want) const override;

 private:
  std::vector<std::string> class_names(const fs::path& folder) const {
    if (!classes.empty()) return classes;
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec))
      if (entry.is_directory()) names.push_back(entry.path().filename().string());
    if (ec) throw DataError(folder.string() + ": cannot list: " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
  }
  // Every image file with its class index, sorted by class then file name.
  std::vector<std::pair<fs::path, int32_t>> list(const fs::path& folder) const {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw DataError(folder.string() + ": no such folder");
    const auto names = class_names(folder);
    std::vector<std::pair<fs::path, int32_t>> out;
    for (std::size_t c = 0; c < names.size(); ++c) {
      const fs::path sub = folder / names[c];
      if (!fs::is_directory(sub, ec))
        throw DataError(sub.string() + ": no folder for class '" + names[c] + "'");
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(sub, ec)) {
        const std::string ext = entry.path().extension().string();
        if (entry.is_regular_file() &&
            (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".PNG" || ext == ".JPG"))
          files.push_back(entry.path());
        if (static_cast<int64_t>(out.size() + files.size()) > kMaxImages)
          throw DataError(folder.string() + ": more than 10,000,000 images");
      }
      std::sort(files.begin(), files.end());
      for (auto& f : files) out.emplace_back(std::move(f), static_cast<int32_t>(c));
    }
    if (out.empty()) throw DataError(folder.string() + ": no PNG or JPEG files in its class folders");
    return out;
  }
};

Table ImageFolderConfig::read(const std::string& set, const std::vector<TensorWant>& want) const {
  const fs::path& folder = folders.at(set);
  const auto files = list(folder);
  const TensorWant& in = want.front();
  const auto& s = in.sample_shape;
  if (s.size() != 3 && s.size() != 2)
    throw DataError(folder.string() + ": image input '" + in.name +
                    "' must be [batch, c, h, w], [batch, h, w, c] or [batch, h, w]");
  const int64_t c = s.size() == 2 ? 1 : (in.channels_first ? s[0] : s[2]);
  const int64_t h = s.size() == 2 ? s[0] : (in.channels_first ? s[1] : s[0]);
  const int64_t w = s.size() == 2 ? s[1] : (in.channels_first ? s[2] : s[1]);
  if (c != 1 && c != 3)
    throw DataError(folder.string() + ": image input '" + in.name + "' needs 1 or 3 channels");
  const auto n = static_cast<int64_t>(files.size());
  HostTensor pixels = HostTensor::allocate(DType::u8, {n, h, w, c});
  HostTensor labels = HostTensor::allocate(DType::s32, {n});

  std::atomic<std::size_t> next{0};
  std::mutex failure_lock;
  std::string failure;
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      try {
        const std::string name = files[i].first.string();
        std::ifstream f(files[i].first, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        Image img = decode_image(bytes, name, static_cast<int>(c));
        if (img.height != h || img.width != w) {
          if (!resize)
            throw DataError(name + ": an image of " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + " pixels; input '" + in.name + "' takes " +
                            std::to_string(w) + "x" + std::to_string(h) +
                            " (set data.size: resize to resample)");
          img = resize_image(img, h, w);
        }
        std::copy(img.pixels.begin(), img.pixels.end(),
                  pixels.as<uint8_t>() + i * static_cast<std::size_t>(h * w * c));
        labels.as<int32_t>()[i] = files[i].second;
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> lock(failure_lock);
        if (failure.empty()) failure = e.what();
        next = files.size();
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), 16));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (!failure.empty()) throw DataError(failure);

  Table t;
  t.classes = class_names(folder);
  t.add(in.name, std::move(pixels), folder.string());
  t.add(want.back().name, std::move(labels), folder.string());
  return t;
}

}  // namespace

std::shared_ptr<const SourceConfig> parse_image_folder(const SourceContext& ctx) {
  const yaml::FieldReader& r = ctx.reader;
  auto c = std::make_shared<ImageFolderConfig>();
  if (ctx.want.size() != 2)
    r.fail(ctx.data, "data.source", "image_folder feeds exactly one input (the image) and the target");
  if (const yaml::Node* all = yaml::find_key(ctx.data, "all")) {
    c->folders["all"] = ctx.path(*all, "data.all");
  } else {
    c->folders["train"] = ctx.path(r.required(ctx.data, "data", "train", " (or data.all)"), "data.train");
    c->folders["test"] = ctx.path(r.required(ctx.data, "data", "test"), "data.test");
  }
  if (const yaml::Node* cls = yaml::find_key(ctx.data, "classes")) {
    if (cls->kind != yaml::Kind::sequence || cls->children.empty())
      r.fail(*cls, "data.classes", "expected a sequence of class folder names, got " + yaml::describe(*cls));
    for (std::size_t i = 0; i < cls->children.size(); ++i)
      c->classes.push_back(r.non_empty_string(cls->children[i], yaml::item_path("data.classes", i)));
  }
  if (const yaml::Node* size = yaml::find_key(ctx.data, "size"))
    c->resize = r.choice(*size, "data.size", {"refuse", "resize"}) == "resize";
  return c;
}

}  // namespace gauntlet::formats
