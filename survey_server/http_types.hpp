#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipas::survey_server {

// A request as the handlers see it: Beast stays inside http_server.cpp, so the
// handlers compile without it and tests can build requests by hand.
struct HttpRequest {
  std::string method;                                        // "GET", "POST", ... as sent
  std::string target;                                        // path and query, as sent
  std::string path;                                          // target before '?'
  std::string query;                                         // target after '?', without it
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string client;  // the peer's address (for rate limits; never logged or stored)

  // The first header of that (lowercase) name.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  bool close = false;  // close the connection after this response
};

// Sends the response to its connection; callable once, from any thread.
using Reply = std::function<void(HttpResponse&&)>;

// What the server asks of the application. Implementations must be
// thread-safe: the server calls them from its threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // The largest body accepted for this request line (bytes); the server
  // answers 413 to a larger one without reading it.
  virtual std::size_t body_limit(std::string_view method, std::string_view target) const = 0;
  // Handles the request; calls `reply` exactly once, now or later (for
  // example after a commit).
  virtual void handle(HttpRequest&& request, Reply reply) = 0;
  // The response to a request the server could not even read (400, 408, 413,
  // 431); the handler words it.
  virtual HttpResponse protocol_error(int status, std::string_view code,
                                      std::string_view message) = 0;
};

}  // namespace sipas::survey_server
