// Source `idx`: one IDX file (optionally .gz) per tensor and set (tensor_files.hpp), any
// element type and rank. Schema 1's form, `train: {images, labels}`, names the input's and
// the target's files and keeps schema 1's expectations (unsigned bytes; images of 3-4
// dimensions, labels of 1).
#include "formats/idx.hpp"
#include "formats/source.hpp"
#include "formats/tensor_files.hpp"

namespace gauntlet::formats {
namespace {

class IdxConfig final : public TensorFilesConfig {
 public:
  bool schema1 = false;

 private:
  HostTensor read_one(const std::filesystem::path& file, const TensorWant& w) const override {
    IdxExpect expect;
    if (schema1) expect = w.target ? IdxExpect{1, 1, true, "labels"} : IdxExpect{3, 4, true, "images"};
    return read_idx(file, expect);
  }
};

}  // namespace

std::shared_ptr<const SourceConfig> parse_idx(const SourceContext& ctx) {
  auto c = std::make_shared<IdxConfig>();
  if (ctx.schema != 1) {
    c->files_ = parse_tensor_files(ctx);
    return c;
  }
  // Schema 1: exactly one input (the images) and the target (the labels).
  const yaml::FieldReader& r = ctx.reader;
  c->schema1 = true;
  for (const char* set : {"train", "test"}) {
    const std::string field = std::string("data.") + set;
    const yaml::Node& map = r.required(ctx.data, "data", set);
    r.check_keys(map, field, {"images", "labels"});
    auto& files = c->files_.sets[set];
    files.emplace_back(ctx.want.front().name, ctx.path(r.required(map, field, "images"), field + ".images"));
    files.emplace_back(ctx.want.back().name, ctx.path(r.required(map, field, "labels"), field + ".labels"));
  }
  return c;
}

}  // namespace gauntlet::formats
