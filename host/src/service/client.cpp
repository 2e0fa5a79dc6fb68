#include "service/client.hpp"

#include "common/errors.hpp"

#include <httplib.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace gauntlet::service {
namespace {

using json = nlohmann::json;

std::string read_all(const std::filesystem::path& file, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read the ") + what + " " + file.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ServiceClient::Reply reply_of(const httplib::Result& r) {
  ServiceClient::Reply out;
  if (!r) {
    out.error = r.error() == httplib::Error::SSLServerVerification
                    ? "the server's certificate is not trusted (--ca-cert <file.pem> for an organizer's own "
                      "certificate)"
                    : "no answer from the server: " + httplib::to_string(r.error());
    return out;
  }
  out.status = r->status;
  try {
    out.body = json::parse(r->body);
  } catch (const json::exception&) {
    out.body = json();
  }
  if (!out.ok())
    out.error = out.body.is_object() && out.body.contains("error") && out.body["error"].is_string()
                    ? out.body["error"].get<std::string>()
                    : "HTTP " + std::to_string(r->status);
  if (r->has_header("Retry-After")) {
    try {
      out.retry_after = std::stod(r->get_header_value("Retry-After"));
    } catch (const std::exception&) {
    }
  }
  return out;
}

}  // namespace

std::string read_token_file(const std::filesystem::path& file) {
  std::string t = read_all(file, "token file");
  const auto first = t.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw std::runtime_error("the token file " + file.string() + " is empty");
  t = t.substr(first, t.find_last_not_of(" \t\r\n") - first + 1);
  return t;
}

ServiceClient::ServiceClient(const std::string& server, std::string token, double timeout_seconds,
                             const std::string& ca_cert)
    : token_(std::move(token)) {
  static const std::regex url(R"(^(https?://[^/?#]+)(/[^?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(server, m, url))
    throw UsageError("--server must be http://host:port or https://host:port (with an optional path), not '" +
                     server + "'");
  prefix_ = m[2].str();
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  client_ = std::make_unique<httplib::Client>(m[1].str());
  const auto seconds = static_cast<time_t>(timeout_seconds);
  client_->set_connection_timeout(10, 0);
  client_->set_read_timeout(seconds, 0);
  client_->set_write_timeout(seconds, 0);
  client_->set_bearer_token_auth(token_);
  if (!ca_cert.empty()) {
    if (!std::filesystem::is_regular_file(ca_cert)) throw UsageError("--ca-cert: no file " + ca_cert);
    client_->set_ca_cert_path(ca_cert);
  }
}

ServiceClient::~ServiceClient() = default;

ServiceClient::Reply ServiceClient::get(const std::string& path) {
  return reply_of(client_->Get(prefix_ + path));
}

ServiceClient::Reply ServiceClient::post_json(const std::string& path, const json& body,
                                              const std::string& nonce) {
  httplib::Headers headers{{"X-Gauntlet-Nonce", nonce}};
  return reply_of(client_->Post(prefix_ + path, headers, body.dump(), "application/json"));
}

ServiceClient::Reply ServiceClient::upload(const std::string& challenge, const std::filesystem::path& plugin,
                                           const std::optional<std::filesystem::path>& assets,
                                           const std::string& nonce) {
  httplib::MultipartFormDataItems items{
      {"challenge", challenge, "", ""},
      {"plugin", read_all(plugin, "file"), plugin.filename().string(), "application/octet-stream"}};
  if (assets)
    items.push_back({"assets", read_all(*assets, "asset archive"), assets->filename().string(),
                     "application/octet-stream"});
  httplib::Headers headers{{"X-Gauntlet-Nonce", nonce}};
  return reply_of(client_->Post(prefix_ + "/api/v1/submissions", headers, items));
}

}  // namespace gauntlet::service
