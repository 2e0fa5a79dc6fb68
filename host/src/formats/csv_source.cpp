// Sources `csv` and `tsv`: a header row, then one sample per row. Each interface tensor is
// fed by the columns `data.columns` names for it:
//   features: [age, sex, bmi]        columns by name (a single name for one column)
//   features: {from: age, to: s6}    a range of columns, inclusive, in header order
//   label: {column: kind, categories: [setosa, versicolor, virginica]}   codes 0, 1, 2
//   value: {file: target.csv.gz, column: 0}   a column of another file, row for row
// Sets: `train` and `test` files; or one `file` with `split_column: {column, train, test}`;
// or one `file` that the challenge's `data.holdout` divides. Empty fields are refused unless
// `missing` gives a number to put there. `delimiter` (comma, tab, semicolon, space: runs of
// spaces), `skip` (records before the header) and `header: false` (columns named by position,
// from 0) read files as they come; .gz files are read through zlib.
#include "common/errors.hpp"
#include "common/text.hpp"
#include "formats/csv.hpp"
#include "formats/growing_tensor.hpp"
#include "formats/source.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>

namespace gauntlet::formats {
namespace {

using yaml::Kind;
using yaml::Node;

struct ColumnSpec {
  std::filesystem::path file;      // another file (single-file form only)
  std::vector<std::string> names;  // explicit names, or
  std::string from, to;            // a range
  std::vector<std::string> categories;
};

struct SplitColumn {
  std::string column, train, test;
};

class CsvConfig final : public SourceConfig {
 public:
  CsvFormat format;
  std::filesystem::path train, test, file;
  std::optional<SplitColumn> split_column;
  std::vector<std::pair<std::string, ColumnSpec>> columns;
  std::optional<double> missing;

  std::vector<std::string> sets() const override {
    if (!file.empty() && !split_column) return {"all"};
    return {"train", "test"};
  }

  std::vector<std::filesystem::path> files() const override {
    if (!file.empty()) return {file};
    return {train, test};
  }

  nlohmann::json canonical() const override {
    nlohmann::json j = {
        {"delimiter", std::string(1, format.delimiter)}, {"skip", format.skip}, {"header", format.header}};
    if (!file.empty()) j["file"] = file.string();
    if (!train.empty()) j["train"] = train.string(), j["test"] = test.string();
    if (split_column)
      j["split_column"] = {
          {"column", split_column->column}, {"train", split_column->train}, {"test", split_column->test}};
    for (const auto& [tensor, spec] : columns)
      j["columns"][tensor] = {{"file", spec.file.string()},
                              {"names", spec.names},
                              {"from", spec.from},
                              {"to", spec.to},
                              {"categories", spec.categories}};
    if (missing) j["missing"] = *missing;
    return j;
  }

  Table read(const std::string& set, const std::vector<TensorWant>& want) const override;

 private:
  Table read_file(const std::filesystem::path& path, const std::string& set,
                  const std::vector<const TensorWant*>& want, bool split_here) const;
};

// Where each tensor's values come from, once the header is known.
struct Binding {
  const TensorWant* want = nullptr;
  const ColumnSpec* spec = nullptr;
  std::vector<std::size_t> columns;
  std::optional<GrowingTensor> tensor;
};

// The tensors of each file, read file by file; every file must give the same number of rows.
Table CsvConfig::read(const std::string& set, const std::vector<TensorWant>& want) const {
  const std::filesystem::path main = !file.empty() ? file : (set == "train" ? train : test);
  std::vector<std::pair<std::filesystem::path, std::vector<const TensorWant*>>> groups;
  for (const TensorWant& w : want) {
    std::filesystem::path path = main;
    for (const auto& [tensor, spec] : columns)
      if (tensor == w.name && !spec.file.empty()) path = spec.file;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == path; });
    if (it == groups.end()) it = groups.insert(groups.end(), {path, {}});
    it->second.push_back(&w);
  }
  Table out;
  for (const auto& [path, tensors] : groups) {
    Table t = read_file(path, set, tensors, path == main);
    if (!out.tensors.empty() && t.samples() != out.samples())
      throw DataError(path.string() + ": holds " + std::to_string(t.samples()) + " rows but " +
                      out.origin.front() + " holds " + std::to_string(out.samples()));
    for (std::size_t i = 0; i < t.names.size(); ++i)
      out.add(t.names[i], std::move(t.tensors[i]), t.origin[i]);
  }
  return out;
}

Table CsvConfig::read_file(const std::filesystem::path& path, const std::string& set,
                           const std::vector<const TensorWant*>& want, bool split_here) const {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const BlockReader in = open_text_file(name);

  std::vector<Binding> bindings;
  std::optional<std::size_t> split_index;
  int64_t expected = 0;
  auto header = [&](const std::vector<CsvField>& fields) {
    std::vector<std::string> names;
    for (const CsvField& f : fields) {
      for (const std::string& seen : names)
        if (seen == f.text)
          throw DataError(name + ":1:" + std::to_string(f.column) + ": column '" + std::string(f.text) +
                          "' appears twice");
      names.emplace_back(f.text);
    }
    auto index = [&](const std::string& column, const std::string& tensor) -> std::size_t {
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == column) return i;
      throw DataError(name + ":1:1: no column '" + column + "' (for tensor '" + tensor +
                      "'); the header has: " + join(names));
    };
    if (split_column && split_here) split_index = index(split_column->column, "split_column");
    const int64_t row_guess = static_cast<int64_t>(size / std::max<std::size_t>(1, 2 * fields.size())) + 16;
    for (const TensorWant* wp : want) {
      const TensorWant& w = *wp;
      Binding b;
      b.want = &w;
      for (const auto& [tensor, spec] : columns)
        if (tensor == w.name) b.spec = &spec;
      if (!b.spec) throw DataError(name + ": no columns for tensor '" + w.name + "' (data.columns)");
      if (!b.spec->from.empty()) {
        const std::size_t first = index(b.spec->from, w.name), last = index(b.spec->to, w.name);
        if (last < first)
          throw DataError(name + ":1:1: column '" + b.spec->to + "' comes before '" + b.spec->from + "'");
        for (std::size_t i = first; i <= last; ++i) b.columns.push_back(i);
      } else {
        for (const std::string& c : b.spec->names) b.columns.push_back(index(c, w.name));
      }
      int64_t per_sample = 1;
      for (const int64_t d : w.sample_shape) per_sample *= d;
      if (per_sample != static_cast<int64_t>(b.columns.size()))
        throw DataError(name + ": " + std::to_string(b.columns.size()) + " column(s) for tensor '" + w.name +
                        "' " + format_shape([&] {
                          std::vector<int64_t> s{-1};
                          s.insert(s.end(), w.sample_shape.begin(), w.sample_shape.end());
                          return s;
                        }()) +
                        ", which takes " + std::to_string(per_sample) + " values per sample");
      b.tensor.emplace(w.dtype, w.sample_shape, row_guess);
      bindings.push_back(std::move(b));
    }
    expected = row_guess;
  };

  auto row = [&](const std::vector<CsvField>& fields) {
    if (split_index) {
      const std::string_view v = fields[*split_index].text;
      if (v != (set == "train" ? split_column->train : split_column->test)) {
        if (v != split_column->train && v != split_column->test)
          throw DataError(name + ":" + std::to_string(fields[*split_index].line) + ":" +
                          std::to_string(fields[*split_index].column) + ": split column '" +
                          split_column->column + "' holds '" + std::string(v) + "', expected '" +
                          split_column->train + "' or '" + split_column->test + "'");
        return;
      }
    }
    for (Binding& b : bindings) {
      std::byte* dst = b.tensor->append();
      for (std::size_t k = 0; k < b.columns.size(); ++k) {
        const CsvField& f = fields[b.columns[k]];
        auto at = [&] { return name + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": "; };
        double v = 0;
        if (!b.spec->categories.empty()) {
          const auto& cats = b.spec->categories;
          std::size_t code = 0;
          while (code < cats.size() && cats[code] != f.text) ++code;
          if (code == cats.size())
            throw DataError(at() + "'" + std::string(f.text) + "' is not one of the categories of tensor '" +
                            b.want->name + "': " + join(cats));
          v = static_cast<double>(code);
        } else if (f.text.empty()) {
          if (!missing)
            throw DataError(at() + "a missing value (empty field) in column for tensor '" + b.want->name +
                            "'; set data.missing to a number to fill it");
          v = *missing;
        } else {
          const char* end = f.text.data() + f.text.size();
          const auto [p, err] = std::from_chars(f.text.data(), end, v);
          if (err != std::errc() || p != end || !std::isfinite(v))
            throw DataError(at() + "expected a number for tensor '" + b.want->name + "', got '" +
                            std::string(f.text.substr(0, 40)) + "'");
        }
        switch (b.want->dtype) {
          case DType::f32:
            reinterpret_cast<float*>(dst)[k] = static_cast<float>(v);
            break;
          case DType::u8:
          case DType::s32:
          case DType::s64: {
            const double lo = b.want->dtype == DType::u8    ? 0
                              : b.want->dtype == DType::s32 ? -2147483648.0
                                                            : -9.2e18;
            const double hi = b.want->dtype == DType::u8    ? 255
                              : b.want->dtype == DType::s32 ? 2147483647.0
                                                            : 9.2e18;
            if (v != std::floor(v) || v < lo || v > hi)
              throw DataError(at() + "expected an integer in [" + format_number(lo) + ", " +
                              format_number(hi) + "] for tensor '" + b.want->name + "' (" +
                              std::string(dtype_name(b.want->dtype)) + "), got '" +
                              std::string(f.text.substr(0, 40)) + "'");
            if (b.want->dtype == DType::u8) reinterpret_cast<uint8_t*>(dst)[k] = static_cast<uint8_t>(v);
            if (b.want->dtype == DType::s32) reinterpret_cast<int32_t*>(dst)[k] = static_cast<int32_t>(v);
            if (b.want->dtype == DType::s64) reinterpret_cast<int64_t*>(dst)[k] = static_cast<int64_t>(v);
            break;
          }
        }
      }
    }
  };
  read_delimited(in, name, format, header, row);
  (void)expected;
  Table t;
  for (Binding& b : bindings) t.add(b.want->name, b.tensor->finish(), name);
  return t;
}

ColumnSpec column_spec(const SourceContext& ctx, const Node& n, const std::string& field) {
  const yaml::FieldReader& r = ctx.reader;
  ColumnSpec spec;
  if (n.kind == Kind::scalar) {
    spec.names.push_back(r.non_empty_string(n, field));
  } else if (n.kind == Kind::sequence) {
    for (std::size_t i = 0; i < n.children.size(); ++i)
      spec.names.push_back(r.non_empty_string(n.children[i], yaml::item_path(field, i)));
    if (spec.names.empty()) r.fail(n, field, "expected at least one column name, got []");
  } else {
    r.check_keys(n, field, {"file", "from", "to", "column", "categories"});
    if (const Node* f = yaml::find_key(n, "file")) spec.file = ctx.path(*f, field + ".file");
    if (const Node* c = yaml::find_key(n, "column"))
      spec.names.push_back(r.non_empty_string(*c, field + ".column"));
    if (const Node* f = yaml::find_key(n, "from")) {
      spec.from = r.non_empty_string(*f, field + ".from");
      spec.to = r.non_empty_string(r.required(n, field, "to"), field + ".to");
    }
    if (spec.names.empty() == spec.from.empty())
      r.fail(n, field, "expected either 'column' or 'from' and 'to'");
    if (const Node* cats = yaml::find_key(n, "categories")) {
      if (cats->kind != Kind::sequence || cats->children.empty())
        r.fail(*cats, field + ".categories",
               "expected a sequence of category names, got " + yaml::describe(*cats));
      for (std::size_t i = 0; i < cats->children.size(); ++i)
        spec.categories.push_back(r.string(cats->children[i], yaml::item_path(field + ".categories", i)));
    }
  }
  return spec;
}

std::shared_ptr<const SourceConfig> parse(const SourceContext& ctx, char delimiter) {
  const yaml::FieldReader& r = ctx.reader;
  auto c = std::make_shared<CsvConfig>();
  c->format.delimiter = delimiter;
  if (const Node* d = yaml::find_key(ctx.data, "delimiter")) {
    const std::string v = r.choice(*d, "data.delimiter", {"comma", "tab", "semicolon", "space"});
    c->format.delimiter = v == "comma" ? ',' : v == "tab" ? '\t' : v == "semicolon" ? ';' : ' ';
  }
  if (const Node* s = yaml::find_key(ctx.data, "skip"))
    c->format.skip = static_cast<int>(r.integer(*s, "data.skip", 0, 1'000'000));
  if (const Node* h = yaml::find_key(ctx.data, "header")) c->format.header = r.boolean(*h, "data.header");
  if (const Node* f = yaml::find_key(ctx.data, "file")) {
    c->file = ctx.path(*f, "data.file");
    for (const char* key : {"train", "test"})
      if (const Node* n = yaml::find_key(ctx.data, key))
        r.fail(*n, std::string("data.") + key, "give either data.file or data.train and data.test, not both");
  } else {
    c->train = ctx.path(r.required(ctx.data, "data", "train", " (or data.file)"), "data.train");
    c->test = ctx.path(r.required(ctx.data, "data", "test"), "data.test");
  }
  if (const Node* s = yaml::find_key(ctx.data, "split_column")) {
    if (c->file.empty()) r.fail(*s, "data.split_column", "needs data.file (one table holding both sets)");
    r.check_keys(*s, "data.split_column", {"column", "train", "test"});
    c->split_column = SplitColumn{
        r.non_empty_string(r.required(*s, "data.split_column", "column"), "data.split_column.column"),
        r.string(r.required(*s, "data.split_column", "train"), "data.split_column.train"),
        r.string(r.required(*s, "data.split_column", "test"), "data.split_column.test")};
  }
  const Node& cols = r.required(ctx.data, "data", "columns");
  r.expect_mapping(cols, "data.columns");
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string tensor = r.string(cols.key_at(i), "data.columns");
    bool known = false;
    for (const TensorWant& w : ctx.want) known = known || w.name == tensor;
    if (!known)
      r.fail(cols.key_at(i), "data.columns." + tensor, "'" + tensor + "' is not an input or the target");
    c->columns.emplace_back(tensor, column_spec(ctx, cols.value_at(i), "data.columns." + tensor));
  }
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (!c->columns[i].second.file.empty() && (c->file.empty() || c->split_column))
      r.fail(cols.value_at(i), "data.columns." + c->columns[i].first + ".file",
             "a column from another file needs the single-file form (data.file, divided by data.holdout)");
  for (const TensorWant& w : ctx.want) {
    bool listed = false;
    for (const auto& [t, s] : c->columns) listed = listed || t == w.name;
    if (!listed) r.fail(cols, "data.columns", "missing the columns of tensor '" + w.name + "'");
  }
  if (const Node* m = yaml::find_key(ctx.data, "missing")) {
    if (!(m->kind == Kind::scalar && m->plain && m->value == "error"))
      c->missing = r.number(*m, "data.missing", yaml::Bound::any);
  }
  return c;
}

}  // namespace

std::shared_ptr<const SourceConfig> parse_csv(const SourceContext& ctx) { return parse(ctx, ','); }
std::shared_ptr<const SourceConfig> parse_tsv(const SourceContext& ctx) { return parse(ctx, '\t'); }

}  // namespace gauntlet::formats
