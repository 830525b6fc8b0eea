#pragma once

// Tools for the hostile-client tests: a server in the test process whose
// options and counters the test sees, raw loopback connections (for attacks
// byte by byte), HTTP exchanges that give up at a deadline instead of hanging,
// and the raising of the file-descriptor limit for thousands of connections.

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"
#include "tests/support/key_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test::hostile {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr const char* manager_key = "manager-key-0123456789abcdef-0123456789";

// Raises the soft limit on open files to the hard one; returns the soft limit
// now in force.
inline rlim_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// SurveyService and HttpServer on a free loopback port (like TestServer), with
// the server's counters in reach.
class Server {
 public:
  explicit Server(survey_server::ServerOptions server_options = {},
                  survey_server::ServiceOptions options = {}) {
    options.db = dir_ / "survey.db";
    const auto keys = dir_ / "keys.txt";
    write_key_file(keys, std::string("manager ") + manager_key + "\n");
    options.admin_key_file = keys;
    if (options.public_url.empty()) options.public_url = "http://127.0.0.1";
    service_ = std::make_unique<survey_server::SurveyService>(options);
    server_options.address = "127.0.0.1";
    server_options.port = 0;
    server_ = std::make_unique<survey_server::HttpServer>(server_options, *service_);
    thread_ = std::thread([this] { server_->run(false); });
  }
  ~Server() { stop(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void stop() {
    if (!thread_.joinable()) return;
    server_->shutdown();
    thread_.join();
    service_->stop();
  }

  unsigned short port() const { return server_->port(); }
  const survey_server::ServerCounters& counters() const { return server_->counters(); }
  const survey_server::HttpServer& http() const { return *server_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_{"sipas-hostile"};
  std::unique_ptr<survey_server::SurveyService> service_;
  std::unique_ptr<survey_server::HttpServer> server_;
  std::thread thread_;
};

// A request as bytes, HTTP/1.1, the connection closed after the answer.
inline std::string request_text(
    const std::string& method, const std::string& target, const std::string& body = {},
    const std::string& content_type = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!content_type.empty()) out += "Content-Type: " + content_type + "\r\n";
  for (const auto& [name, value] : headers)
    out += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST")
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

struct Reply {
  int status = 0;  // 0: no HTTP answer
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string error;                           // why there is no answer
  bool timed_out = false;
  double seconds = 0;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Sends `raw` on a new connection (from `source`, an address of 127/8, so a
// test can be "another client") and reads one response; gives up at
// `deadline` (timed_out) instead of hanging the test.
inline Reply exchange(unsigned short port, const std::string& raw, milliseconds deadline,
                      const std::string& source = "127.0.0.1") {
  const auto start = Clock::now();
  Reply reply;
  net::io_context ioc;
  tcp::socket socket(ioc);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u * 1024 * 1024);
  net::steady_timer timer(ioc, deadline);
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) socket.bind(tcp::endpoint(net::ip::make_address(source), 0), ec);
  if (ec) {
    reply.error = "bind: " + ec.message();
    return reply;
  }
  timer.async_wait([&](boost::system::error_code tec) {
    if (tec) return;
    reply.timed_out = true;
    boost::system::error_code ignored;
    socket.close(ignored);
  });
  const tcp::endpoint server(net::ip::make_address("127.0.0.1"), port);
  socket.async_connect(server, [&](boost::system::error_code cec) {
    if (cec) {
      reply.error = "connect: " + cec.message();
      timer.cancel();
      return;
    }
    net::async_write(socket, net::buffer(raw), [&](boost::system::error_code wec, std::size_t) {
      // A server that answers early (413, 431) may close before the whole
      // request was sent: read its answer anyway.
      (void)wec;
      http::async_read(socket, buffer, parser, [&](boost::system::error_code rec, std::size_t) {
        timer.cancel();
        if (rec && !parser.is_header_done()) {
          reply.error = "read: " + rec.message();
          return;
        }
        const auto& message = parser.get();
        reply.status = static_cast<int>(message.result_int());
        reply.body = message.body();
        for (const auto& field : message) {
          std::string name(field.name_string());
          for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          reply.headers[name] = std::string(field.value());
        }
      });
    });
  });
  ioc.run();
  reply.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return reply;
}

inline Reply exchange(unsigned short port, const std::string& method, const std::string& target,
                      const std::string& body = {}, const std::string& content_type = {},
                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                      milliseconds deadline = milliseconds(15000),
                      const std::string& source = "127.0.0.1") {
  return exchange(port, request_text(method, target, body, content_type, headers), deadline,
                  source);
}

// A blocking loopback connection for attacks: bytes go out exactly as given.
class RawConnection {
 public:
  RawConnection(net::io_context& ioc, unsigned short port) : socket_(ioc) { connect(port); }
  // A socket not connected yet (its file is taken now).
  explicit RawConnection(net::io_context& ioc) : socket_(ioc) { socket_.open(tcp::v4()); }
  void connect(unsigned short port) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  // False once the peer has closed or reset the connection.
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  int fd() { return socket_.native_handle(); }
  tcp::socket& socket() { return socket_; }

 private:
  tcp::socket socket_;
};

// What a connection received until the peer closed it.
struct Closed {
  bool closed = false;  // EOF or reset seen before the deadline
  std::string received;
};

// Waits until each connection has been closed by the server (EOF or reset),
// collecting what it sent; gives up at `deadline`.
inline std::vector<Closed> wait_closed(std::vector<std::unique_ptr<RawConnection>>& connections,
                                       milliseconds deadline) {
  std::vector<Closed> out(connections.size());
  const auto until = Clock::now() + deadline;
  std::size_t open = connections.size();
  std::vector<pollfd> fds;
  std::vector<std::size_t> index;
  char chunk[4096];
  while (open > 0 && Clock::now() < until) {
    fds.clear();
    index.clear();
    for (std::size_t i = 0; i < connections.size(); ++i) {
      if (out[i].closed) continue;
      fds.push_back(pollfd{connections[i]->fd(), POLLIN, 0});
      index.push_back(i);
    }
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now()).count();
    const int ready =
        ::poll(fds.data(), fds.size(),
               static_cast<int>(std::max<long long>(1, std::min<long long>(left, 200))));
    if (ready <= 0) continue;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      auto& state = out[index[k]];
      const auto n = ::recv(fds[k].fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        state.received.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        state.closed = true;
        --open;
      }
    }
  }
  return out;
}

// True when the connection has been closed by the server already (a
// non-blocking look; data the server sent is skipped).
inline bool is_closed(RawConnection& connection) {
  char chunk[4096];
  for (;;) {
    const auto n = ::recv(connection.fd(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

}  // namespace sipas::test::hostile
