// The data source table: one line per format (each parser lives in its own file).
#include "formats/source.hpp"

namespace gauntlet::formats {

std::shared_ptr<const SourceConfig> parse_idx(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_npy(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_npz(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_csv(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_tsv(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_image_folder(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_text_lines(const SourceContext&);
std::shared_ptr<const SourceConfig> parse_synthetic(const SourceContext&);

const std::vector<SourceEntry>& source_registry() {
  static const std::vector<SourceEntry> table = {
      {"idx", {"train", "test", "all"}, "IDX files (optionally .gz), one per tensor and set", parse_idx},
      {"npy", {"train", "test", "all"}, "NumPy .npy files, one per tensor and set", parse_npy},
      {"npz", {"train", "test", "all", "arrays"}, "NumPy .npz archives, one per set", parse_npz},
      {"csv",
       {"train", "test", "file", "split_column", "columns", "missing", "delimiter", "skip", "header"},
       "delimited text (comma by default), .gz or plain",
       parse_csv},
      {"tsv",
       {"train", "test", "file", "split_column", "columns", "missing", "delimiter", "skip", "header"},
       "tab-separated text, .gz or plain",
       parse_tsv},
      {"image_folder",
       {"train", "test", "all", "classes", "size"},
       "PNG/JPEG files, one subfolder per class",
       parse_image_folder},
      {"text_lines",
       {"classes", "bytes", "length", "sample", "seed", "long_lines"},
       "one text file per class, a sample per line",
       parse_text_lines},
      {"synthetic_regression",
       {"seed", "num_train", "num_test", "num_features", "noise", "nonlinear_weight"},
       "regression data generated from a seed",
       parse_synthetic},
  };
  return table;
}

}  // namespace gauntlet::formats
