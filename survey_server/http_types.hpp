#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sipas::survey_server {

// A request body that was streamed to an anonymous temporary file (0600, no
// name in the file system, gone when the last holder lets go) instead of
// memory: large uploads cost disk, not RAM.
class SpooledBody {
 public:
  // In std::filesystem::temp_directory_path(). Throws sipas::Error
  // server.spool_failed when no file can be made there.
  SpooledBody();
  ~SpooledBody();
  SpooledBody(const SpooledBody&) = delete;
  SpooledBody& operator=(const SpooledBody&) = delete;

  int fd() const { return fd_; }
  // A path that opens the same file anew from its start (/proc/self/fd/N),
  // for readers that take a path.
  std::string path() const;
  std::uint64_t size() const;

 private:
  int fd_ = -1;
};

// A request as the handlers see it: Beast stays inside http_server.cpp, so the
// handlers compile without it and tests can build requests by hand.
struct HttpRequest {
  std::string method;                                        // "GET", "POST", ... as sent
  std::string target;                                        // path and query, as sent
  std::string path;                                          // target before '?'
  std::string query;                                         // target after '?', without it
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // Set instead of `body` when the handler asked for the body on disk.
  std::shared_ptr<SpooledBody> body_file;
  std::string client;  // the peer's address (for rate limits; never logged or stored)
  // What RequestHandler::admit gave for this request, handed back to handle().
  std::shared_ptr<void> context;

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

// The handler's decision on a request whose header has arrived and whose body
// has not been read.
struct Admission {
  // Set: the request is answered with this at once, and not a byte of its
  // body is read (nor is 100 Continue sent); the connection then closes if a
  // body was announced.
  std::optional<HttpResponse> refusal;
  // Otherwise: the largest body accepted (a larger one is 413 unread), and
  // whether to stream it to a temporary file (HttpRequest::body_file).
  std::size_t body_limit = 0;
  bool spool_body = false;
  // Handed back to handle() in HttpRequest::context.
  std::shared_ptr<void> context;
};

// What the server asks of the application. Implementations must be
// thread-safe: the server calls them from its threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Decides from the header alone (route, method, credentials, content type)
  // whether the request will be served and how much body it may have.
  // `head` has no body yet.
  virtual Admission admit(const HttpRequest& head) = 0;
  // Handles an admitted request whose body has arrived; calls `reply`
  // exactly once, now or later (for example after a commit).
  virtual void handle(HttpRequest&& request, Reply reply) = 0;
  // The response to a request the server could not even read (400, 408, 413,
  // 431); the handler words it.
  virtual HttpResponse protocol_error(int status, std::string_view code,
                                      std::string_view message) = 0;
};

}  // namespace sipas::survey_server
