#pragma once

// A blocking HTTP/1.1 client over a real loopback socket (Boost.Beast), for
// tests that talk to the server as a browser or a script would. Keeps the
// connection alive and reconnects when the server closed it.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sipas::test {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port, std::string host = "127.0.0.1")
      : host_(std::move(host)), port_(port) {}

  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body = {}, const std::string& content_type = {},
                         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    for (int attempt = 0;; ++attempt) {
      try {
        connect();
        http::request<http::string_body> req;
        req.method_string(method);
        req.target(target);
        req.version(11);
        req.set(http::field::host, host_ + ":" + std::to_string(port_));
        req.keep_alive(true);
        if (!content_type.empty()) req.set(http::field::content_type, content_type);
        for (const auto& [name, value] : headers)
          req.set(name, value);
        req.body() = body;
        req.prepare_payload();
        http::write(*stream_, req);
        boost::beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(512 * 1024 * 1024);
        http::read(*stream_, buffer, parser);
        auto res = parser.release();
        ClientResponse out;
        out.status = static_cast<int>(res.result_int());
        out.body = std::move(res.body());
        for (const auto& f : res) {
          std::string name(f.name_string());
          for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          out.headers[name] = std::string(f.value());
        }
        if (!res.keep_alive()) stream_.reset();
        return out;
      } catch (const boost::system::system_error&) {
        stream_.reset();
        // A keep-alive connection the server closed meanwhile: one retry.
        if (attempt >= 1) throw;
      }
    }
  }

  ClientResponse get(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("GET", target, {}, {}, headers);
  }
  ClientResponse post(const std::string& target, const std::string& body,
                      const std::string& content_type,
                      const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return request("POST", target, body, content_type, headers);
  }

 private:
  void connect() {
    if (stream_) return;
    stream_.emplace(ioc_);
    boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(host_), port_);
    stream_->connect(endpoint);
  }

  std::string host_;
  unsigned short port_;
  boost::asio::io_context ioc_;
  std::optional<boost::beast::tcp_stream> stream_;
};

}  // namespace sipas::test
