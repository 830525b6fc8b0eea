#include "survey_server/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

namespace sipas::survey_server {

namespace http = boost::beast::http;

std::string ClientResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Connection {
  boost::asio::io_context ioc;
  std::optional<boost::beast::tcp_stream> stream;
};

HttpClient::HttpClient(unsigned short port, std::string host)
    : host_(std::move(host)), port_(port), connection_(std::make_unique<Connection>()) {}

HttpClient::~HttpClient() = default;

ClientResponse HttpClient::request(const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& content_type,
                                   const Headers& headers) {
  auto& c = *connection_;
  for (int attempt = 0;; ++attempt) {
    try {
      if (!c.stream) {
        c.stream.emplace(c.ioc);
        c.stream->connect({boost::asio::ip::make_address(host_), port_});
      }
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
      http::write(*c.stream, req);
      boost::beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(512 * 1024 * 1024);  // exports of a whole survey
      http::read(*c.stream, buffer, parser);
      auto res = parser.release();
      ClientResponse out;
      out.status = static_cast<int>(res.result_int());
      out.body = std::move(res.body());
      for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& ch : name)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        out.headers[name] = std::string(f.value());
      }
      if (!res.keep_alive()) c.stream.reset();
      return out;
    } catch (const boost::system::system_error&) {
      c.stream.reset();
      // A keep-alive connection the server closed meanwhile: one retry.
      if (attempt >= 1) throw;
    }
  }
}

}  // namespace sipas::survey_server
