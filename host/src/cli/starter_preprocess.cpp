// The starter's account of the host's preprocessing (gauntlet new): in words for its opening
// comment, and as the entries create() receives, for its constants.
#include "cli/starter_preprocess.hpp"

#include "common/text.hpp"
#include "data/dataset.hpp"

#include <sstream>

namespace gauntlet::cli {

// Contents of a C++ string literal.
std::string c_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  return out;
}

// What the host does to each input, in words.
std::string preprocess_summary(const Challenge& c) {
  std::string s;
  for (const TensorSpec& in : c.inputs) {
    const InputPreprocess& p = in.preprocess;
    std::string what = "raw values";
    if (p.kind == InputPreprocess::Kind::standardize)
      what = "standardised per feature (mean and std of the training set)";
    if (p.kind == InputPreprocess::Kind::affine) {
      auto list = [](const std::vector<double>& v) {
        std::vector<std::string> items;
        items.reserve(v.size());
        for (const double x : v) items.push_back(format_number(x));
        std::string t = join(items, ",");
        if (v.size() > 1) t.insert(0, 1, '[').push_back(']');  // not "[" + t: GCC 12's false -Wrestrict
        return t;
      };
      what = "x = (raw * " + list(p.scale) + " - " + list(p.mean) + ") / " + list(p.stddev);
      if (in.shape.size() == 4) what += p.layout == Layout::nhwc ? ", NHWC" : ", NCHW";
    }
    s += (s.empty() ? "" : "; ") + in.name + ": " + what;
  }
  return s;
}

// The preprocessing entries the plugin is told in create() (ctx.config, next to
// plugin_config), with a standardised input's fitted values when the data can be read here.
std::string preprocess_constants(const Challenge& c) {
  std::vector<std::pair<std::string, std::string>> entries = preprocess_entries(c);
  std::string note;
  try {
    entries =
        load_challenge_data(c, {SplitName::public_split, 0, -1, false}, heap_allocator()).preprocess_entries;
  } catch (const std::exception&) {
    note = "// (the data could not be read here: fitted values are told in create() only)\n";
  }
  std::ostringstream o;
  o << "\n// What the host did to the inputs. The same entries reach create() as read-only values of\n"
    << "// ctx.config next to plugin_config (e.g. ctx.config.get<std::string>(\"gauntlet.task\")).\n"
    << note << "inline constexpr const char* kPreprocessEntries[][2] = {\n";
  for (const auto& [k, v] : entries) o << "    {\"" << c_escape(k) << "\", \"" << c_escape(v) << "\"},\n";
  o << "};\n";
  return o.str();
}

}  // namespace gauntlet::cli
