#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "survey_server/http_types.hpp"

namespace sipas::survey_server {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 2;
  // A whole request (header and body) must arrive within this time, so a
  // client sending a byte at a time cannot hold a connection.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(20)};
  // An idle keep-alive connection is closed after this time.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  std::uint32_t header_limit = 16 * 1024;
  // Connections held at once. At the cap, the connection that has waited
  // longest for a request (idle keep-alive, or connected and silent) is closed
  // to make room; only when every connection is inside a request is the new
  // one refused (closed at once). Lowered to what the open-file limit allows.
  std::size_t max_connections = 20000;
  // Connections one client address may hold at once, whatever they are doing
  // (so one address cannot fill the cap with half-sent headers); a further
  // one from that address is refused (closed at once).
  std::size_t max_connections_per_address = 64;
  // Reverse proxies (canonical addresses, see forwarded_client.hpp) whose
  // X-Forwarded-For names the client for the rate limits; their own
  // connections are not held to max_connections_per_address (a proxy
  // carries every client's requests and limits connections itself).
  std::vector<std::string> trusted_proxies{};
  // Graceful shutdown waits this long for requests in flight.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(20)};
};

struct ServerCounters {
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> connections_evicted{0};  // idle ones closed at the cap
  std::atomic<std::uint64_t> connections_refused_per_address{0};
  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> timeouts{0};
};

// The HTTP/1.1 server (Boost.Beast, after its advanced_server example): a
// listener accepts; each connection is a session on its own strand that reads
// a header, asks the handler for the body limit, reads the body, hands the
// request over and writes the reply, with keep-alive. No exception crosses an
// asynchronous path: handlers get error codes.
//
// run() and shutdown() may be called from different threads; everything else
// is internal.
class HttpServer {
 public:
  // Binds and listens at once (throws sipas::Error server.bind_failed).
  HttpServer(ServerOptions options, RequestHandler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  unsigned short port() const;
  // The connection cap in force: max_connections, lowered to the soft limit
  // on open files less a reserve for the database and logs.
  std::size_t max_connections() const;
  // Runs the io_context on `threads` threads (the caller's included) until a
  // shutdown has finished. With `handle_signals`, SIGINT and SIGTERM start one.
  void run(bool handle_signals);
  // Graceful shutdown: stop accepting, close idle connections, let requests in
  // flight finish (up to shutdown_grace), then return from run(). Thread-safe,
  // idempotent.
  void shutdown();

  const ServerCounters& counters() const;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace sipas::survey_server
