#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sipas::survey_server {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased

  std::string header(const std::string& name) const;
};

// A blocking HTTP/1.1 client over a real socket (Boost.Beast), for the demo's
// simulated respondents and the tests: talks to the server as a browser or a
// script would. Keeps the connection alive and reconnects once when the
// server closed it meanwhile. One client is one connection: not thread-safe;
// give each thread its own. Network errors throw boost::system::system_error.
class HttpClient {
 public:
  explicit HttpClient(unsigned short port, std::string host = "127.0.0.1");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Headers = std::vector<std::pair<std::string, std::string>>;

  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body = {}, const std::string& content_type = {},
                         const Headers& headers = {});
  ClientResponse get(const std::string& target, const Headers& headers = {}) {
    return request("GET", target, {}, {}, headers);
  }
  ClientResponse post(const std::string& target, const std::string& body,
                      const std::string& content_type, const Headers& headers = {}) {
    return request("POST", target, body, content_type, headers);
  }

 private:
  struct Connection;
  std::string host_;
  unsigned short port_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace sipas::survey_server
