// The client side of the service (gauntlet submit --server, gauntlet status --server, gauntlet
// admin): HTTP(S) requests with the holder's token, a fresh nonce for each change, and the
// server's one-line errors passed on as they are.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace httplib {
class Client;
}

namespace gauntlet::service {

// The token in a file (what `gauntlet teams --out-dir` writes), surrounding white space removed.
// Throws std::runtime_error for a missing, empty or unreadable file.
std::string read_token_file(const std::filesystem::path& file);

class ServiceClient {
 public:
  // `server`: http(s)://host[:port][/prefix]. Throws UsageError for anything else.
  // HTTPS verifies the server's certificate against the system's CAs, or `ca_cert` (a PEM
  // file: an organizer's self-signed certificate) when given.
  ServiceClient(const std::string& server, std::string token, double timeout_seconds = 60,
                const std::string& ca_cert = "");
  ~ServiceClient();
  ServiceClient(const ServiceClient&) = delete;
  ServiceClient& operator=(const ServiceClient&) = delete;

  struct Reply {
    int status = 0;       // 0: no answer (the error says why)
    nlohmann::json body;  // parsed JSON, or null
    std::string error;    // the server's error line, or why there was no answer
    double retry_after = 0;
    bool ok() const { return status >= 200 && status < 300; }
  };

  Reply get(const std::string& path);
  Reply post_json(const std::string& path, const nlohmann::json& body, const std::string& nonce);
  // POST /api/v1/submissions: the challenge, the library or model, and optionally the archive.
  Reply upload(const std::string& challenge, const std::filesystem::path& plugin,
               const std::optional<std::filesystem::path>& assets, const std::string& nonce);

 private:
  std::unique_ptr<httplib::Client> client_;
  std::string prefix_, token_;
};

}  // namespace gauntlet::service
