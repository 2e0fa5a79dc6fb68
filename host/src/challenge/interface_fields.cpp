// The interface section of challenge.yaml: inputs (with their preprocessing), outputs and the
// target, checked against the task.
#include "challenge/loader.hpp"
#include "common/names.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet::challenge_loader {

using namespace yaml;

namespace {

bool integer_dtype(DType d) { return d != DType::f32; }

int64_t channels(const TensorSpec& spec, Layout layout) {
  if (spec.shape.size() == 4) return layout == Layout::nchw ? spec.shape[1] : spec.shape[3];
  return spec.shape.size() < 2 ? 1 : spec.shape.back();
}

}  // namespace

std::vector<int64_t> Loader::shape(const Node& n, const std::string& field) const {
  if (n.kind != Kind::sequence) fail(n, field, "expected a shape such as [batch, 10], got " + describe(n));
  if (n.children.empty()) fail(n, field, "expected a shape starting with batch, got []");
  if (n.children.size() > kMaxRank)
    fail(n, field,
         "expected at most " + std::to_string(kMaxRank) + " dimensions, got " +
             std::to_string(n.children.size()));
  std::vector<int64_t> dims;
  int64_t elements = 1;
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    const Node& d = n.children[i];
    const std::string dim_field = item_path(field, i);
    const bool is_batch = d.kind == Kind::scalar && d.plain && d.value == "batch";
    if (i == 0) {
      if (!is_batch) fail(d, dim_field, "the first dimension must be 'batch', got " + describe(d));
      dims.push_back(-1);
      continue;
    }
    if (is_batch) fail(d, dim_field, "only the first dimension may be 'batch'");
    dims.push_back(integer(d, dim_field, 1, kMaxExtent));
    elements *= dims.back();
    if (elements > kMaxSampleElements)
      fail(n, field, "over " + std::to_string(kMaxSampleElements) + " elements per sample");
  }
  return dims;
}

TensorSpec Loader::tensor(const Node& n, const std::string& path, DType default_dtype,
                          TensorNodes& nodes) const {
  const bool input = path.starts_with("interface.inputs");
  if (schema_ >= 2 && input)
    mapping(n, path, {"name", "dtype", "shape", "preprocess"});
  else
    mapping(n, path, {"name", "dtype", "shape"});
  nodes.path = path;
  TensorSpec spec;
  spec.where = at(n);
  nodes.map = &n;

  const std::string name_field = child_path(path, "name");
  const Node& name = required(n, path, "name");
  spec.name = string(name, name_field);
  if (!is_valid_tensor_name(spec.name))
    fail(name, name_field, "expected " + tensor_name_rule() + ", got " + describe(name));

  spec.dtype = default_dtype;
  if (const Node* d = find_key(n, "dtype")) {
    nodes.dtype = d;
    const std::string dtype_field = child_path(path, "dtype");
    spec.dtype = *parse_dtype(choice(*d, dtype_field, {"f32", "s32", "s64", "u8"}));
  }
  nodes.shape = &required(n, path, "shape");
  spec.shape = shape(*nodes.shape, child_path(path, "shape"));
  if (schema_ >= 2 && input) {
    const Node* pp = find_key(n, "preprocess");
    spec.preprocess = pp ? input_preprocess(*pp, child_path(path, "preprocess"), spec) : InputPreprocess{};
  }
  return spec;
}

std::vector<TensorSpec> Loader::tensor_list(const Node& iface, const std::string& key, const char* what,
                                            std::vector<TensorNodes>& nodes) const {
  const std::string path = child_path("interface", key);
  const Node& list = required(iface, "interface", key);
  if (list.kind != Kind::sequence)
    fail(list, path, std::string("expected a sequence of ") + what + "s, got " + describe(list));
  if (list.children.empty()) fail(list, path, std::string("expected at least one ") + what + ", got []");
  if (schema_ == 1 && list.children.size() != 1)
    fail(list.children[1], path,
         std::string("v1 supports exactly one ") + what + ", got " + std::to_string(list.children.size()));
  std::vector<TensorSpec> out;
  nodes.resize(list.children.size());
  for (std::size_t i = 0; i < list.children.size(); ++i)
    out.push_back(tensor(list.children[i], item_path(path, i), DType::f32, nodes[i]));
  return out;
}

// `raw`, `standardize`, or {scale, mean, std, layout}.
InputPreprocess Loader::input_preprocess(const Node& n, const std::string& path,
                                         const TensorSpec& spec) const {
  InputPreprocess pp;
  if (n.kind == Kind::scalar) {
    pp.kind = choice(n, path, {"raw", "standardize"}) == "raw" ? InputPreprocess::Kind::raw
                                                               : InputPreprocess::Kind::standardize;
  } else {
    mapping(n, path, {"scale", "mean", "std", "layout"});
    pp.kind = InputPreprocess::Kind::affine;
    if (const Node* l = find_key(n, "layout")) {
      if (spec.shape.size() != 4) fail(*l, child_path(path, "layout"), "only 4-D image inputs have a layout");
      pp.layout =
          choice(*l, child_path(path, "layout"), {"nchw", "nhwc"}) == "nchw" ? Layout::nchw : Layout::nhwc;
    }
    const int64_t c = channels(spec, pp.layout);
    auto values = [&](const char* key, Bound bound, std::vector<double>& out) {
      const Node* v = find_key(n, key);
      if (!v) return;
      const std::string field = child_path(path, key);
      out.clear();
      if (v->kind == Kind::sequence) {
        for (std::size_t i = 0; i < v->children.size(); ++i)
          out.push_back(number(v->children[i], item_path(field, i), bound));
        if (out.size() != 1 && static_cast<int64_t>(out.size()) != c)
          fail(*v, field,
               "expected one value or one per channel (" + std::to_string(c) + "), got " +
                   std::to_string(out.size()));
      } else {
        out.push_back(number(*v, field, bound));
      }
    };
    values("scale", Bound::non_zero, pp.scale);
    values("mean", Bound::any, pp.mean);
    values("std", Bound::positive, pp.stddev);
  }
  if (pp.kind != InputPreprocess::Kind::raw && spec.dtype != DType::f32)
    fail(n, path,
         "preprocessing produces f32 values, but input '" + spec.name + "' is " +
             std::string(dtype_name(spec.dtype)) + "; use raw or dtype f32");
  return pp;
}

void Loader::load_schema1_preprocess(const Node& root, Challenge& c) {
  const Node* pp = find_key(root, "preprocess");
  if (!pp) return;
  mapping(*pp, "preprocess", {"scale", "mean", "std", "layout"});
  if (const Node* n = find_key(*pp, "scale"))
    c.preprocess.scale = number(*n, "preprocess.scale", Bound::non_zero);
  if (const Node* n = find_key(*pp, "mean")) c.preprocess.mean = number(*n, "preprocess.mean", Bound::any);
  if (const Node* n = find_key(*pp, "std"))
    c.preprocess.stddev = number(*n, "preprocess.std", Bound::positive);
  if (const Node* n = find_key(*pp, "layout"))
    c.preprocess.layout =
        choice(*n, "preprocess.layout", {"nchw", "nhwc"}) == "nchw" ? Layout::nchw : Layout::nhwc;
}

void Loader::load_interface(const Node& root, Challenge& c) {
  const Node& iface = mapping(required(root, "", "interface"), "interface", {"inputs", "outputs", "target"});
  c.inputs = tensor_list(iface, "inputs", "input", input_nodes_);
  c.outputs = tensor_list(iface, "outputs", "output", output_nodes_);
  const bool labels = c.task != Task::regression;
  c.target = tensor(required(iface, "interface", "target"), "interface.target",
                    labels ? DType::s32 : DType::f32, target_nodes_);
  if (schema_ == 1) {
    // Both schema 1 sources hand the plugin f32 values, and its metrics read f32 outputs.
    if (c.inputs[0].dtype != DType::f32)
      fail(*input_nodes_[0].dtype, "interface.inputs[0].dtype",
           "expected f32 (v1 data sources produce f32 inputs), got " + describe(*input_nodes_[0].dtype));
    c.inputs[0].preprocess = {InputPreprocess::Kind::affine,
                              {c.preprocess.scale},
                              {c.preprocess.mean},
                              {c.preprocess.stddev},
                              c.preprocess.layout};
  }
  for (std::size_t i = 0; i < c.outputs.size(); ++i)
    if (c.outputs[i].dtype != DType::f32)
      fail(*output_nodes_[i].dtype, item_path("interface.outputs", i) + ".dtype",
           "expected f32 (the metrics read f32 outputs), got " + describe(*output_nodes_[i].dtype));
  // Names are unique across inputs, outputs and the target: they name regions and files.
  std::vector<std::string> seen;
  auto unique = [&](const TensorSpec& t, const TensorNodes& nodes, const char* role) {
    if (std::find(seen.begin(), seen.end(), t.name) != seen.end())
      fail(*find_key(*nodes.map, "name"), nodes.path + ".name",
           "'" + t.name + "' is already the name of " + (schema_ == 1 ? "the input" : "another tensor"));
    seen.push_back(t.name);
    (void)role;
  };
  for (std::size_t i = 0; i < c.inputs.size(); ++i) unique(c.inputs[i], input_nodes_[i], "input");
  for (std::size_t i = 0; i < c.outputs.size(); ++i) unique(c.outputs[i], output_nodes_[i], "output");
  if (schema_ >= 2) unique(c.target, target_nodes_, "target");
  check_task(root, c);
}

void Loader::check_task(const Node& root, Challenge& c) {
  const TensorSpec& out = c.outputs[0];
  const TensorNodes& on = output_nodes_[0];
  const std::string out_shape_field = "interface.outputs[0].shape";
  num_classes_node_ = find_key(root, "num_classes");
  if (num_classes_node_ && c.task != Task::classification)
    fail(*num_classes_node_, "num_classes",
         "only used by task classification; this task is " + std::string(task_name(c.task)));
  const std::vector<int64_t> per_sample(c.target.shape.begin() + 1, c.target.shape.end());
  const bool one_label = per_sample.empty() || per_sample == std::vector<int64_t>{1};
  auto target_dtype = [&](const char* what) {
    if (schema_ == 1 ? c.target.dtype != DType::s32 : !integer_dtype(c.target.dtype))
      fail(*target_nodes_.dtype, "interface.target.dtype",
           std::string("expected ") + (schema_ == 1 ? "s32" : "an integer dtype") + " (" + what + ") for a " +
               std::string(task_name(c.task)) + " target, got " + describe(*target_nodes_.dtype));
  };
  switch (c.task) {
    case Task::classification: {
      if (out.shape.size() != 2)
        fail(*on.shape, out_shape_field,
             "expected [batch, num_classes] for a classification output, got " + format_shape(out.shape));
      c.num_classes = out.shape[1];
      const Node& classes_node = on.shape->children[1];
      if (num_classes_node_) {
        const int64_t declared = integer(*num_classes_node_, "num_classes", 2, kMaxExtent);
        if (declared != c.num_classes)
          fail(classes_node, out_shape_field + "[1]",
               "expected " + std::to_string(declared) + " (num_classes), got " +
                   std::to_string(c.num_classes));
      }
      if (c.num_classes < 2)
        fail(classes_node, out_shape_field + "[1]",
             "expected at least 2 classes, got " + std::to_string(c.num_classes) +
                 (schema_ == 1 ? "" : " (one score for two classes is task: binary)"));
      target_dtype("class indices");
      if (schema_ == 1 ? c.target.shape != std::vector<int64_t>{-1} : !one_label)
        fail(*target_nodes_.shape, "interface.target.shape",
             "expected [batch] for a classification target, got " + format_shape(c.target.shape));
      return;
    }
    case Task::binary:
      if (out.shape != std::vector<int64_t>{-1, 1})
        fail(*on.shape, out_shape_field,
             "expected [batch, 1] for a binary output (the positive class's score), got " +
                 format_shape(out.shape));
      c.num_classes = 2;
      target_dtype("0 or 1");
      if (!one_label)
        fail(*target_nodes_.shape, "interface.target.shape",
             "expected [batch] or [batch, 1] for a binary target, got " + format_shape(c.target.shape));
      return;
    case Task::multilabel:
      if (out.shape.size() != 2)
        fail(*on.shape, out_shape_field,
             "expected [batch, labels] for a multilabel output, got " + format_shape(out.shape));
      c.num_classes = out.shape[1];
      target_dtype("0 or 1 per label");
      if (c.target.shape != out.shape)
        fail(*target_nodes_.shape, "interface.target.shape",
             "expected the output's shape " + format_shape(out.shape) + " for a multilabel target, got " +
                 format_shape(c.target.shape));
      return;
    case Task::regression:
      if (out.shape.size() < 2)
        fail(*on.shape, out_shape_field,
             "expected [batch, n, ...] for a regression output, got " + format_shape(out.shape));
      if (c.target.dtype != DType::f32)
        fail(*target_nodes_.dtype, "interface.target.dtype",
             "expected f32 for a regression target, got " + describe(*target_nodes_.dtype));
      if (c.target.shape != out.shape)
        fail(*target_nodes_.shape, "interface.target.shape",
             "expected the output's shape " + format_shape(out.shape) + " for a regression target, got " +
                 format_shape(c.target.shape));
      return;
  }
}

}  // namespace gauntlet::challenge_loader
