#include "service/asset_archive.hpp"

#include "common/sha256.hpp"
#include "common/untrusted_text.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

namespace gauntlet::service {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPath = 1024, kMaxComponent = 255, kMaxDepth = 32;

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct DigestCloser {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// The entry's name as a clean relative path ("./a//b" -> "a/b"), or a refusal. The archive's
// own root ("./", what `tar -C weights .` writes first) cleans to "": only a folder may.
std::string clean_name(const char* raw) {
  if (!raw || !*raw) throw ArchiveRefused("an entry without a name");
  const std::string name(raw);
  auto shown = [&] {
    std::string s;
    for (const unsigned char c : name.substr(0, 200)) s += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
    return "'" + s + "'";
  };
  if (name.size() > kMaxPath) throw ArchiveRefused("an entry name longer than 1024 bytes");
  for (const unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      throw ArchiveRefused("the entry " + shown() + " has a control character in its name");
  if (name[0] == '/') throw ArchiveRefused("the entry " + shown() + " is an absolute path");
  std::string out;
  std::size_t depth = 0, start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") throw ArchiveRefused("the entry " + shown() + " climbs out of the asset folder ('..')");
    if (part.size() > kMaxComponent)
      throw ArchiveRefused("the entry " + shown() + " has a name part over 255 bytes");
    if (++depth > kMaxDepth)
      throw ArchiveRefused("the entry " + shown() + " is nested deeper than 32 folders");
    out += (out.empty() ? "" : "/") + part;
  }
  return out;
}

std::string kind_of(mode_t type) {
  switch (type) {
    case AE_IFLNK:
      return "a symbolic link";
    case AE_IFCHR:
      return "a character device";
    case AE_IFBLK:
      return "a block device";
    case AE_IFIFO:
      return "a named pipe";
    case AE_IFSOCK:
      return "a socket";
    default:
      return "not a regular file or folder";
  }
}

[[noreturn]] void io_failure(const std::string& what, const fs::path& p) {
  throw std::runtime_error("cannot " + what + " " + p.string() + ": " + std::strerror(errno));
}

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_failure("open", p);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) io_failure("fsync", p);
}

class Unpacker {
 public:
  Unpacker(const fs::path& into, const ArchiveLimits& limits) : into_(into), limits_(limits) {}

  void folder(const std::string& path) {
    // Every parent of a file is a folder too, named or not.
    std::string prefix;
    std::size_t start = 0;
    while (start < path.size()) {
      std::size_t end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      prefix = path.substr(0, end);
      start = end + 1;
      if (files_.count(prefix)) throw ArchiveRefused("'" + prefix + "' is both a file and a folder");
      if (!folders_.insert(prefix).second) continue;
      if (!into_.empty() && ::mkdir((into_ / prefix).c_str(), 0755) != 0)
        io_failure("create", into_ / prefix);
    }
  }

  void file(archive* a, archive_entry* entry, const std::string& path) {
    if (static_cast<int>(tree_.files.size()) >= limits_.max_files)
      throw ArchiveRefused("more than " + std::to_string(limits_.max_files) +
                           " files in the asset archive (submissions.max_asset_files)");
    if (files_.count(path) || folders_.count(path))
      throw ArchiveRefused("'" + path + "' is in the archive twice");
    const auto slash = path.rfind('/');
    if (slash != std::string::npos) folder(path.substr(0, slash));
    files_.insert(path);
    const int64_t left = limits_.max_bytes - tree_.bytes;
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > left) throw over_size();

    int fd = -1;
    if (!into_.empty()) {
      fd = ::open((into_ / path).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
      if (fd < 0) io_failure("create", into_ / path);
    }
    std::unique_ptr<EVP_MD_CTX, DigestCloser> md(EVP_MD_CTX_new());
    EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
    int64_t bytes = 0;
    char buf[64 * 1024];
    for (;;) {
      const la_ssize_t n = archive_read_data(a, buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        if (fd >= 0) ::close(fd);
        throw ArchiveRefused("'" + path + "' cannot be read: " + error_text(a));
      }
      bytes += n;
      if (tree_.bytes + bytes > limits_.max_bytes) {
        if (fd >= 0) ::close(fd);
        throw over_size();
      }
      EVP_DigestUpdate(md.get(), buf, static_cast<std::size_t>(n));
      for (la_ssize_t done = 0; fd >= 0 && done < n;) {
        const ssize_t w = ::write(fd, buf + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
          const int e = errno;
          ::close(fd);
          errno = e;
          io_failure("write", into_ / path);
        }
        done += w;
      }
    }
    if (fd >= 0) {
      if (::fsync(fd) != 0) {
        const int e = errno;
        ::close(fd);
        errno = e;
        io_failure("fsync", into_ / path);
      }
      ::close(fd);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md.get(), digest, &len);
    static const char* hex = "0123456789abcdef";
    std::string sha;
    for (unsigned i = 0; i < len; ++i) {
      sha += hex[digest[i] >> 4];
      sha += hex[digest[i] & 15];
    }
    tree_.bytes += bytes;
    tree_.files.push_back({path, bytes, sha});
  }

  AssetTree finish() {
    std::sort(tree_.files.begin(), tree_.files.end(),
              [](const AssetFile& a, const AssetFile& b) { return a.path < b.path; });
    tree_.folders.assign(folders_.begin(), folders_.end());
    std::string text = "gauntlet.assets/1\n";
    for (const auto& d : tree_.folders) text += "d " + d + "\n";
    for (const auto& f : tree_.files)
      text += "f " + f.path + "\t" + std::to_string(f.bytes) + "\t" + f.sha256 + "\n";
    tree_.sha256 = sha256_hex(text);
    if (!into_.empty()) {
      // Deepest first, so that each folder's entries are durable before its own.
      for (auto it = tree_.folders.rbegin(); it != tree_.folders.rend(); ++it) fsync_path(into_ / *it);
      fsync_path(into_);
    }
    return tree_;
  }

  // libarchive's own message, made one printable line (it can hold a newline, and it quotes
  // the archive's bytes).
  static std::string error_text(archive* a) {
    const char* e = archive_error_string(a);
    return e ? untrusted::terminal_line(std::string_view(e).substr(0, 300)) : "unknown error";
  }

 private:
  ArchiveRefused over_size() const {
    return ArchiveRefused("the assets unpack to more than " + std::to_string(limits_.max_bytes >> 20) +
                          " MiB (submissions.max_assets_mb)");
  }

  fs::path into_;
  ArchiveLimits limits_;
  AssetTree tree_;
  std::set<std::string> files_, folders_;
};

}  // namespace

AssetTree unpack_assets(std::string_view bytes, const fs::path& into, const ArchiveLimits& limits) {
  if (bytes.empty()) throw ArchiveRefused("the asset archive is empty (0 bytes)");
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  if (!a) throw std::runtime_error("libarchive: out of memory");
  // Named formats and filters only: never archive_read_support_filter_all(), which would run
  // external programs (lrzip, lzop, grzip) on the team's bytes.
  archive_read_support_format_tar(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    throw ArchiveRefused("not a tar or zip archive: " + Unpacker::error_text(a.get()));
  Unpacker out(into, limits);
  archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      throw ArchiveRefused("not a readable tar or zip archive: " + Unpacker::error_text(a.get()));
    const char* raw_name = archive_entry_pathname(entry);
    const std::string path = clean_name(raw_name);
    const mode_t type = archive_entry_filetype(entry);
    if (path.empty()) {
      if (type == AE_IFDIR && !archive_entry_hardlink(entry) && !archive_entry_symlink(entry)) continue;
      throw ArchiveRefused("the entry '" + std::string(raw_name) + "' names no file");
    }
    if (archive_entry_hardlink(entry)) throw ArchiveRefused("the entry '" + path + "' is a hard link");
    if (archive_entry_symlink(entry) || type == AE_IFLNK)
      throw ArchiveRefused("the entry '" + path + "' is a symbolic link");
    if (type == AE_IFDIR)
      out.folder(path);
    else if (type == AE_IFREG)
      out.file(a.get(), entry, path);
    else
      throw ArchiveRefused("the entry '" + path + "' is " + kind_of(type));
  }
  return out.finish();
}

}  // namespace gauntlet::service
