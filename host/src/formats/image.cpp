#include "formats/image.hpp"

#include "common/errors.hpp"
#include "formats/limits.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <memory>

namespace gauntlet::formats {
namespace {

bool is_png(std::string_view b) {
  return b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0;
}
bool is_jpeg(std::string_view b) { return b.size() >= 3 && std::memcmp(b.data(), "\xff\xd8\xff", 3) == 0; }

void check_size(int64_t h, int64_t w, const std::string& name) {
  if (h <= 0 || w <= 0 || h > kMaxImageSide || w > kMaxImageSide)
    throw DataError(name + ": an image of " + std::to_string(w) + "x" + std::to_string(h) +
                    " pixels (at most 16384 on a side)");
}

struct Tj {
  tjhandle h = tjInitDecompress();
  ~Tj() {
    if (h) tjDestroy(h);
  }
  Tj() = default;
  Tj(const Tj&) = delete;
  Tj& operator=(const Tj&) = delete;
};

Image jpeg(std::string_view bytes, const std::string& name, int channels, bool pixels) {
  Tj tj;
  if (!tj.h) throw DataError(name + ": cannot start the JPEG decoder");
  int w = 0, h = 0, subsampling = 0, colorspace = 0;
  auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  if (tjDecompressHeader3(tj.h, src, bytes.size(), &w, &h, &subsampling, &colorspace) != 0)
    throw DataError(name + ": corrupt JPEG: " + tjGetErrorStr2(tj.h));
  check_size(h, w, name);
  Image img{h, w, channels, {}};
  if (!pixels) return img;
  img.pixels.resize(static_cast<std::size_t>(h) * static_cast<std::size_t>(w) *
                    static_cast<std::size_t>(channels));
  if (tjDecompress2(tj.h, src, bytes.size(), img.pixels.data(), w, 0, h, channels == 1 ? TJPF_GRAY : TJPF_RGB,
                    TJFLAG_ACCURATEDCT) != 0 &&
      tjGetErrorCode(tj.h) == TJERR_FATAL)
    throw DataError(name + ": corrupt JPEG: " + tjGetErrorStr2(tj.h));
  return img;
}

Image png(std::string_view bytes, const std::string& name, int channels, bool pixels) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    throw DataError(name + ": corrupt PNG: " + image.message);
  struct Free {
    png_image* i;
    ~Free() { png_image_free(i); }
  } free_on_exit{&image};
  check_size(image.height, image.width, name);
  Image img{image.height, image.width, channels, {}};
  if (!pixels) return img;
  image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  img.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, img.pixels.data(), 0, nullptr))
    throw DataError(name + ": corrupt PNG: " + image.message);
  return img;
}

Image dispatch(std::string_view bytes, const std::string& name, int channels, bool pixels) {
  if (is_png(bytes)) return png(bytes, name, channels, pixels);
  if (is_jpeg(bytes)) return jpeg(bytes, name, channels, pixels);
  throw DataError(name + ": offset 0: neither a PNG nor a JPEG image");
}

}  // namespace

Image image_header(std::string_view bytes, const std::string& name) {
  return dispatch(bytes, name, 1, /*pixels=*/false);
}

Image decode_image(std::string_view bytes, const std::string& name, int channels) {
  return dispatch(bytes, name, channels, /*pixels=*/true);
}

Image resize_image(const Image& image, int64_t height, int64_t width) {
  using dnnl::memory;
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  Image out{height, width, image.channels,
            std::vector<uint8_t>(static_cast<std::size_t>(height * width * image.channels))};
  const memory::desc src_md({1, image.channels, image.height, image.width}, memory::data_type::u8,
                            memory::format_tag::nhwc);
  const memory::desc dst_md({1, image.channels, height, width}, memory::data_type::u8,
                            memory::format_tag::nhwc);
  const dnnl::resampling_forward::desc d(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::resampling_linear, src_md, dst_md);
  const dnnl::resampling_forward::primitive_desc pd(d, engine);
  dnnl::stream stream(engine);
  memory src(src_md, engine, const_cast<uint8_t*>(image.pixels.data()));
  memory dst(dst_md, engine, out.pixels.data());
  dnnl::resampling_forward(pd).execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  stream.wait();
  return out;
}

}  // namespace gauntlet::formats
