// Source `text_lines`: one text file per class, one sample per line (e.g. Debian's word
// lists). Feeds a u8 input with each line's bytes, zero-padded to the input's last extent,
// a length input (its byte count), and the target (the class index, in the order of
// `data.classes`). `sample: N` keeps N lines of each class, chosen by `seed`; a line longer
// than the input is refused unless `long_lines: truncate`.
#include "common/errors.hpp"
#include "formats/growing_tensor.hpp"
#include "formats/limits.hpp"
#include "formats/source.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>

namespace gauntlet::formats {
namespace {

uint64_t mix(uint64_t x) {  // SplitMix64's output function, as the public/private split uses
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class TextLinesConfig final : public SourceConfig {
 public:
  std::vector<std::pair<std::string, std::filesystem::path>> classes;
  std::string bytes_tensor, length_tensor;
  int64_t sample = 0;  // 0: every line
  uint64_t seed = 0;
  bool truncate = false;

  std::vector<std::string> sets() const override { return {"all"}; }
  std::vector<std::filesystem::path> files() const override {
    std::vector<std::filesystem::path> out;
    for (const auto& [name, file] : classes) out.push_back(file);
    return out;
  }
  nlohmann::json canonical() const override {
    nlohmann::json j = {{"bytes", bytes_tensor},
                        {"length", length_tensor},
                        {"sample", sample},
                        {"seed", seed},
                        {"truncate", truncate}};
    for (const auto& [name, file] : classes) j["classes"].push_back({name, file.string()});
    return j;
  }

  Table read(const std::string&, const std::vector<TensorWant>& want) const override {
    const TensorWant *text = nullptr, *length = nullptr, *target = &want.back();
    for (const TensorWant& w : want) {
      if (w.name == bytes_tensor) text = &w;
      if (w.name == length_tensor) length = &w;
    }
    if (!text || !length)
      throw DataError("text_lines: the interface lacks input '" + bytes_tensor + "' or '" + length_tensor +
                      "'");
    const int64_t max = text->sample_shape.back();
    GrowingTensor bytes(DType::u8, text->sample_shape), lengths(length->dtype, length->sample_shape),
        labels(target->dtype, target->sample_shape);
    Table t;
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const std::string name = classes[c].second.string();
      std::ifstream in(classes[c].second, std::ios::binary);
      if (!in) throw DataError(name + ": cannot open (class '" + classes[c].first + "')");
      std::vector<std::pair<int, std::string>> lines;  // line number, text
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        if (static_cast<int64_t>(line.size()) > max) {
          if (!truncate)
            throw DataError(name + ":" + std::to_string(number) + ":1: a line of " +
                            std::to_string(line.size()) + " bytes; input '" + text->name + "' holds " +
                            std::to_string(max) + " (set data.long_lines: truncate)");
          line.resize(static_cast<std::size_t>(max));
        }
        lines.emplace_back(number, line);
        if (static_cast<int64_t>(lines.size()) > kMaxRows) throw DataError(name + ": more than 2^31 lines");
      }
      if (sample > 0) {  // a seeded partial Fisher-Yates shuffle, then file order
        const auto keep =
            static_cast<std::size_t>(std::min<int64_t>(sample, static_cast<int64_t>(lines.size())));
        for (std::size_t i = 0; i < keep; ++i) {
          const std::size_t j = i + mix(seed ^ (uint64_t{c} << 40) ^ i) % (lines.size() - i);
          std::swap(lines[i], lines[j]);
        }
        lines.resize(keep);
        std::sort(lines.begin(), lines.end());
      }
      for (const auto& [number, text_line] : lines) {
        std::memcpy(bytes.append(), text_line.data(), text_line.size());
        auto store = [](GrowingTensor& g, DType d, int64_t v) {
          std::byte* p = g.append();
          if (d == DType::s32) *reinterpret_cast<int32_t*>(p) = static_cast<int32_t>(v);
          if (d == DType::s64) *reinterpret_cast<int64_t*>(p) = v;
          if (d == DType::u8) *reinterpret_cast<uint8_t*>(p) = static_cast<uint8_t>(v);
          if (d == DType::f32) *reinterpret_cast<float*>(p) = static_cast<float>(v);
        };
        store(lengths, length->dtype, static_cast<int64_t>(text_line.size()));
        store(labels, target->dtype, static_cast<int64_t>(c));
      }
      t.classes.push_back(classes[c].first);
    }
    t.add(text->name, bytes.finish(), "text_lines");
    t.add(length->name, lengths.finish(), "text_lines");
    t.add(target->name, labels.finish(), "text_lines");
    return t;
  }
};

}  // namespace

std::shared_ptr<const SourceConfig> parse_text_lines(const SourceContext& ctx) {
  const yaml::FieldReader& r = ctx.reader;
  auto c = std::make_shared<TextLinesConfig>();
  const yaml::Node& cls = r.required(ctx.data, "data", "classes");
  r.expect_mapping(cls, "data.classes");
  for (std::size_t i = 0; i < cls.size(); ++i)
    c->classes.emplace_back(cls.key_at(i).value,
                            ctx.path(cls.value_at(i), "data.classes." + cls.key_at(i).value));
  if (c->classes.size() < 2) r.fail(cls, "data.classes", "expected at least 2 classes (one file each)");
  auto tensor = [&](const char* key, bool bytes) {
    const std::string field = std::string("data.") + key;
    const yaml::Node& n = r.required(ctx.data, "data", key);
    std::string name = r.non_empty_string(n, field);
    for (const TensorWant& w : ctx.want)
      if (w.name == name && !w.target) {
        if (bytes && (w.dtype != DType::u8 || w.sample_shape.size() != 1))
          r.fail(n, field, "input '" + name + "' must be u8 [batch, max_length] to hold the text's bytes");
        if (!bytes && (w.dtype == DType::f32 || w.sample_shape != std::vector<int64_t>{1}) &&
            !w.sample_shape.empty())
          r.fail(n, field, "input '" + name + "' must be an integer [batch] or [batch, 1] to hold lengths");
        return name;
      }
    r.fail(n, field, "'" + name + "' is not an input of the interface");
  };
  c->bytes_tensor = tensor("bytes", true);
  c->length_tensor = tensor("length", false);
  if (ctx.want.size() != 3)
    r.fail(ctx.data, "data.source", "text_lines feeds exactly two inputs (bytes, length) and the target");
  if (const yaml::Node* s = yaml::find_key(ctx.data, "sample"))
    c->sample = r.integer(*s, "data.sample", 1, kMaxRows);
  if (const yaml::Node* s = yaml::find_key(ctx.data, "seed")) c->seed = r.seed(*s, "data.seed");
  if (const yaml::Node* l = yaml::find_key(ctx.data, "long_lines"))
    c->truncate = r.choice(*l, "data.long_lines", {"refuse", "truncate"}) == "truncate";
  return c;
}

}  // namespace gauntlet::formats
