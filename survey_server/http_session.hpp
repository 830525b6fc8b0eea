#pragma once

// The listener's state (HttpServer::Impl) and one connection's session, after
// Boost.Beast's advanced_server example. Included by http_server.cpp only.

#include "survey_server/forwarded_client.hpp"
#include "survey_server/http_server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>

#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "io/error.hpp"

namespace sipas::survey_server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto server_name = "sipas";

// Open files kept for everything but connections: the database, its WAL and
// shared memory for each pooled connection, the writer's, logs.
constexpr std::size_t reserved_files = 64;
// After accept fails for want of files or memory, wait this long before
// trying again, rather than spinning on an error that persists.
constexpr auto accept_backoff = std::chrono::milliseconds(100);
// The first read of a request takes what has arrived, up to this much.
constexpr std::size_t first_read_size = 4096;

std::size_t connection_cap(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto files = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t usable = files > 2 * reserved_files ? files - reserved_files : files / 2;
  return std::max<std::size_t>(1, std::min(wanted, usable));
}

}  // namespace

class Session;

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(ServerOptions options, RequestHandler& handler)
      : options_(std::move(options)),
        handler_(handler),
        ioc_(std::max(1, options_.threads)),
        acceptor_(net::make_strand(ioc_)),
        signals_(ioc_),
        grace_timer_(ioc_),
        backoff_timer_(acceptor_.get_executor()),
        max_connections_(connection_cap(options_.max_connections)) {}

  const ServerOptions& options() const { return options_; }

  void listen() {
    beast::error_code ec;
    auto address = net::ip::make_address(options_.address, ec);
    if (ec) throw Error("server.bind_failed", "not an IP address: '" + options_.address + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      throw Error("server.bind_failed", "cannot listen on " + options_.address + ":" +
                                            std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
  }

  void start_accepting() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             self->on_accept(ec, std::move(socket));
                           });
  }

  void on_accept(beast::error_code ec, tcp::socket socket);
  // At the cap: closes the connection that has waited longest for a request;
  // false when none is waiting (every connection is inside a request).
  bool evict_idle();
  // A session now waits for a request (the `epoch`-th wait of the server).
  void note_idle(const std::shared_ptr<Session>& s, std::uint64_t epoch);

  void run(bool handle_signals) {
    if (handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([self = shared_from_this()](beast::error_code ec, int) {
        if (!ec) self->shutdown();
      });
    }
    start_accepting();
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.threads; ++i)
      threads.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : threads)
      t.join();
  }

  void shutdown();
  void register_session(const std::shared_ptr<Session>& s);
  void unregister_session(Session* s, const std::string& client);
  // Counts a connection of `client`; false when it holds its limit already.
  bool take_address_slot(const std::string& client);
  void release_address_slot(const std::string& client);
  void refuse(tcp::socket& socket, std::atomic<std::uint64_t>& counter);

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // After shutdown: checks now and then whether the last session has gone,
  // then cancels the grace timer so that run() returns.
  void wait_for_sessions() {
    bool empty;
    {
      std::lock_guard lock(sessions_mutex_);
      empty = sessions_.empty();
    }
    if (empty) {
      grace_timer_.cancel();
      return;
    }
    auto poll = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(20));
    poll->async_wait([self = shared_from_this(), poll](beast::error_code ec) {
      if (!ec) self->wait_for_sessions();
    });
  }

  ServerOptions options_;
  RequestHandler& handler_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer grace_timer_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  ServerCounters counters_;
  std::mutex sessions_mutex_;
  std::set<Session*> sessions_;
  std::vector<std::weak_ptr<Session>> session_refs_;
  net::steady_timer backoff_timer_;
  std::size_t max_connections_;
  // Sessions waiting for a request, oldest first, with the epoch of that
  // wait (an entry whose session has moved on is stale and skipped).
  std::mutex idle_mutex_;
  std::deque<std::pair<std::weak_ptr<Session>, std::uint64_t>> idle_;
  std::atomic<std::uint64_t> idle_epoch_{0};
  std::mutex per_address_mutex_;
  std::unordered_map<std::string, std::size_t> per_address_;  // open connections by address
};

// One connection. Every member is touched only on the session's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server, std::string client)
      : stream_(std::move(socket)), server_(std::move(server)), client_(std::move(client)) {}

  ~Session() {
    server_->counters_.connections_open.fetch_sub(1, std::memory_order_relaxed);
    server_->unregister_session(this, client_);
  }

  void start() {
    // Waiting from the moment it is accepted, so that a flood of new silent
    // connections can evict each other before their first read has begun.
    wait_for_request();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
  }

  // Closes the connection if it still waits for the request it waited for
  // at `epoch` (at the cap, to make room for a new one).
  void evict(std::uint64_t epoch) {
    net::dispatch(stream_.get_executor(), [self = shared_from_this(), epoch] {
      if (self->idle_epoch_.load(std::memory_order_acquire) != epoch) return;
      // Its request has arrived but is not read yet: keep it (the cap is
      // passed by one until a connection closes).
      beast::error_code ec;
      if (self->stream_.socket().available(ec) > 0 && !ec) return;
      self->idle_epoch_.store(0, std::memory_order_release);
      self->server_->counters_.connections_evicted.fetch_add(1, std::memory_order_relaxed);
      self->do_close();
    });
  }

  bool waiting_since(std::uint64_t epoch) const {
    return idle_epoch_.load(std::memory_order_acquire) == epoch;
  }

  // Called on shutdown: a connection between requests is closed now; one with
  // a request in flight closes after its reply.
  void close_if_idle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      // A request whose first bytes have arrived is answered (with keep-alive
      // off); its read is still bounded by the request timeout.
      const bool started = self->buffer_.size() > 0 || self->got_some();
      if (!self->busy_ && !started) self->do_close();
    });
  }

 private:
  // The header is read by a parser without a body; once the handler has
  // admitted the request, the parser is moved into one whose body goes to
  // memory or to a temporary file (Beast's "change body type").
  using HeaderParser = http::request_parser<http::empty_body>;
  using StringParser = http::request_parser<http::string_body>;
  using FileParser = http::request_parser<http::basic_file_body<beast::file_posix>>;

  bool got_some() const { return (header_ && header_->got_some()) || string_body_ || file_body_; }

  unsigned request_version() const {
    if (header_) return header_->get().version();
    if (string_body_) return string_body_->get().version();
    if (file_body_) return file_body_->get().version();
    return 11;
  }

  void do_read() {
    if (server_->stopping() && buffer_.size() == 0) return do_close();
    string_body_.reset();
    file_body_.reset();
    spool_.reset();
    request_ = HttpRequest{};
    header_.emplace();
    header_->header_limit(server_->options_.header_limit);
    // No limit yet: Beast would check Content-Length against it while reading
    // the header; the handler's admission sets the route's limit after.
    header_->body_limit(boost::none);
    // Bytes of the next request already here (pipelining): it has begun.
    if (buffer_.size() > 0) return read_header();
    // Evicted before its first read began.
    if (!stream_.socket().is_open()) return;
    // Between requests the idle timeout applies, and at the cap this
    // connection may be closed to make room.
    stream_.expires_after(server_->options_.idle_timeout);
    if (idle_epoch_.load(std::memory_order_acquire) == 0) wait_for_request();
    stream_.async_read_some(buffer_.prepare(first_read_size),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->on_first_bytes(ec, n);
                            });
  }

  // From now until the first byte of a request, the connection may be
  // evicted at the cap (oldest waiting first).
  void wait_for_request() {
    const auto epoch = server_->idle_epoch_.fetch_add(1, std::memory_order_relaxed) + 1;
    idle_epoch_.store(epoch, std::memory_order_release);
    server_->note_idle(shared_from_this(), epoch);
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    idle_epoch_.store(0, std::memory_order_release);
    if (ec) return on_read_error(ec);
    buffer_.commit(n);
    read_header();
  }

  // From its first byte, a request's header must arrive within the request
  // timeout, so a client sending a byte at a time cannot hold a connection
  // for longer (before, the idle timeout bounded the header).
  void read_header() {
    stream_.expires_after(server_->options_.request_timeout);
    http::async_read_header(
        stream_, buffer_, *header_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  // The header has arrived: the handler decides from it alone, before
  // 100 Continue and before a byte of the body is read.
  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& header = header_->get();
    version_ = header.version();
    keep_alive_ = header.keep_alive();
    if (header.version() >= 11 && header.find(http::field::host) == header.end()) {
      return send_protocol_error(400, "request.missing_host",
                                 "an HTTP/1.1 request needs a Host header");
    }
    request_.method = std::string(header.method_string());
    request_.target = std::string(header.target());
    const auto q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    if (q != std::string::npos) request_.query = request_.target.substr(q + 1);
    request_.headers.reserve(8);
    for (const auto& field : header) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    const auto forwarded = request_.header("x-forwarded-for");
    request_.client =
        forwarded ? forwarded_client(client_, *forwarded, server_->options().trusted_proxies)
                  : client_;
    Admission admission = server_->handler_.admit(request_);
    if (admission.refusal) {
      // The body (if any) stays unread: the connection cannot be reused.
      if (!header_->is_done()) keep_alive_ = false;
      busy_ = true;
      return send(std::move(*admission.refusal));
    }
    request_.context = std::move(admission.context);
    const std::size_t limit = admission.body_limit;
    if (auto length = header_->content_length(); length && *length > limit) {
      return send_protocol_error(413, "request.too_large",
                                 "the body is larger than " + std::to_string(limit) + " bytes");
    }
    stream_.expires_after(server_->options_.request_timeout);
    if (header_->is_done()) {
      header_.reset();
      return on_body({});
    }
    if (admission.spool_body) {
      try {
        spool_ = std::make_shared<SpooledBody>();
      } catch (const std::exception&) {
        return send_protocol_error(503, "server.spool_failed",
                                   "the server cannot take an upload now; try again later");
      }
      file_body_.emplace(std::move(*header_));
      file_body_->body_limit(limit);
      // Beast's file closes its descriptor with the message: give it a copy.
      file_body_->get().body().file().native_handle(::dup(spool_->fd()));
    } else {
      string_body_.emplace(std::move(*header_));
      string_body_->body_limit(limit);
    }
    header_.reset();
    if (beast::iequals(request_.header("expect").value_or(""), "100-continue")) {
      continue_.emplace(http::status::continue_, version_);
      continue_->set(http::field::server, server_name);
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code wec, std::size_t) {
                          if (wec) return self->on_read_error(wec);
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_body(ec);
    };
    if (file_body_) return http::async_read(stream_, buffer_, *file_body_, std::move(done));
    http::async_read(stream_, buffer_, *string_body_, std::move(done));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return do_close();
    }
    if (ec == beast::error::timeout) {
      server_->counters_.timeouts.fetch_add(1, std::memory_order_relaxed);
      // Only a request that had started gets an answer; an idle connection
      // just closes.
      if (got_some()) {
        return send_protocol_error(408, "request.timeout", "the request took too long to arrive");
      }
      return do_close();
    }
    if (ec == http::error::header_limit) {
      return send_protocol_error(431, "request.header_too_large",
                                 "the request header is larger than " +
                                     std::to_string(server_->options_.header_limit) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return send_protocol_error(413, "request.too_large", "the body is too large");
    }
    if (ec == http::error::partial_message) return do_close();
    send_protocol_error(400, "request.malformed", "the request is not valid HTTP: " + ec.message());
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    if (string_body_) {
      keep_alive_ = string_body_->get().keep_alive();
      request_.body = std::move(string_body_->get().body());
      string_body_.reset();
    } else if (file_body_) {
      keep_alive_ = file_body_->get().keep_alive();
      file_body_.reset();  // closes Beast's copy of the descriptor
      request_.body_file = std::move(spool_);
    }
    busy_ = true;
    // The work guard keeps run() going while the reply waits for a commit on
    // another thread.
    auto guard = net::make_work_guard(stream_.get_executor());
    server_->handler_.handle(
        std::move(request_),
        [self = shared_from_this(), guard = std::move(guard)](HttpResponse&& response) mutable {
          net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
            self->send(std::move(response));
          });
          guard.reset();
        });
  }

  void send_protocol_error(int status, const std::string& code, const std::string& message) {
    keep_alive_ = false;
    version_ = request_version();
    if (version_ == 0) version_ = 11;
    busy_ = true;
    send(server_->handler_.protocol_error(status, code, message));
  }

  void send(HttpResponse&& response) {
    auto& out = response_.emplace();
    out.version(version_ ? version_ : 11);
    out.result(static_cast<unsigned>(response.status));
    out.set(http::field::server, server_name);
    out.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers)
      out.set(name, value);
    out.body() = std::move(response.body);
    const bool keep = keep_alive_ && !response.close && !server_->stopping();
    out.keep_alive(keep);
    out.prepare_payload();
    stream_.expires_after(server_->options_.request_timeout);
    http::async_write(stream_, out,
                      [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
                        self->on_write(ec, keep);
                      });
  }

  void on_write(beast::error_code ec, bool keep) {
    busy_ = false;
    response_.reset();
    if (ec || !keep) return do_close();
    do_read();
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
    header_.reset();
    string_body_.reset();
    file_body_.reset();
    spool_.reset();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<HeaderParser> header_;
  std::optional<StringParser> string_body_;
  std::optional<FileParser> file_body_;
  std::shared_ptr<SpooledBody> spool_;
  HttpRequest request_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::string client_;
  // Nonzero while the connection waits for the first byte of a request.
  std::atomic<std::uint64_t> idle_epoch_{0};
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool busy_ = false;
};

}  // namespace sipas::survey_server
