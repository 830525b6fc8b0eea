// The listener, after Boost.Beast's advanced_server example: accepting,
// connection caps, idle eviction, graceful shutdown (the sessions are in
// http_session.hpp).

#include "survey_server/http_session.hpp"

namespace sipas::survey_server {

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
      ec == net::error::no_memory || ec == boost::system::errc::too_many_files_open_in_system) {
    // Out of files or memory: accept would fail again at once, a busy loop
    // on the acceptor. Try again shortly; pending clients wait in the backlog.
    backoff_timer_.expires_after(accept_backoff);
    backoff_timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
      if (!tec && !self->stopping()) self->do_accept();
    });
    return;
  }
  if (!ec) {
    beast::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    std::string client = peer_ec ? std::string() : peer.address().to_string();
    const auto open = counters_.connections_open.load(std::memory_order_relaxed);
    const bool full = open >= static_cast<std::int64_t>(max_connections_);
    if (stopping()) {
      refuse(socket, counters_.connections_refused);
    } else if (!take_address_slot(client)) {
      // One address may not hold more than its share, whatever state its
      // connections are in (half-sent headers included).
      refuse(socket, counters_.connections_refused_per_address);
    } else if (full && !evict_idle()) {
      release_address_slot(client);
      refuse(socket, counters_.connections_refused);
    } else {
      counters_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
      counters_.connections_open.fetch_add(1, std::memory_order_relaxed);
      auto session =
          std::make_shared<Session>(std::move(socket), shared_from_this(), std::move(client));
      register_session(session);
      session->start();
    }
  }
  // Errors like EMFILE are transient: keep accepting.
  if (!stopping()) do_accept();
}

bool HttpServer::Impl::evict_idle() {
  std::lock_guard lock(idle_mutex_);
  while (!idle_.empty()) {
    auto [weak, epoch] = std::move(idle_.front());
    idle_.pop_front();
    auto session = weak.lock();
    if (session && session->waiting_since(epoch)) {
      session->evict(epoch);
      return true;
    }
  }
  return false;
}

void HttpServer::Impl::note_idle(const std::shared_ptr<Session>& s, std::uint64_t epoch) {
  std::lock_guard lock(idle_mutex_);
  idle_.emplace_back(s, epoch);
  // Every request of a keep-alive connection adds an entry: drop the stale
  // ones now and then so the queue stays about as long as the connections.
  const auto open = static_cast<std::size_t>(
      std::max<std::int64_t>(0, counters_.connections_open.load(std::memory_order_relaxed)));
  if (idle_.size() > 2 * open + 64) {
    std::erase_if(idle_, [](const auto& entry) {
      auto session = entry.first.lock();
      return !session || !session->waiting_since(entry.second);
    });
  }
}

void HttpServer::Impl::register_session(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.insert(s.get());
  session_refs_.push_back(s);
  // Forget the expired references now and then so the list stays small.
  if (session_refs_.size() > 2 * sessions_.size() + 64) {
    std::erase_if(session_refs_, [](const auto& w) { return w.expired(); });
  }
}

void HttpServer::Impl::unregister_session(Session* s, const std::string& client) {
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(s);
  }
  release_address_slot(client);
}

bool HttpServer::Impl::take_address_slot(const std::string& client) {
  const auto& proxies = options_.trusted_proxies;
  if (std::find(proxies.begin(), proxies.end(), client) != proxies.end()) return true;
  std::lock_guard lock(per_address_mutex_);
  auto& count = per_address_[client];
  if (count >= options_.max_connections_per_address) {
    if (count == 0) per_address_.erase(client);
    return false;
  }
  ++count;
  return true;
}

void HttpServer::Impl::release_address_slot(const std::string& client) {
  std::lock_guard lock(per_address_mutex_);
  auto it = per_address_.find(client);
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
}

void HttpServer::Impl::refuse(tcp::socket& socket, std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
  beast::error_code ignored;
  socket.close(ignored);
}

void HttpServer::Impl::shutdown() {
  if (stopping_.exchange(true)) return;
  auto self = shared_from_this();
  net::post(acceptor_.get_executor(), [self] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->signals_.cancel(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mutex_);
    for (auto& w : session_refs_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live)
    s->close_if_idle();
  // Requests in flight finish on their own; past the grace period the
  // io_context stops regardless.
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([self](beast::error_code ec) {
    if (!ec) self->ioc_.stop();
  });
  // Once the last session is gone, nothing but the timer holds run(): cancel it.
  net::post(ioc_, [self] { self->wait_for_sessions(); });
}

HttpServer::HttpServer(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_shared<Impl>(std::move(options), handler)) {
  impl_->listen();
}

HttpServer::~HttpServer() = default;

unsigned short HttpServer::port() const {
  return impl_->port_;
}

std::size_t HttpServer::max_connections() const {
  return impl_->max_connections_;
}

void HttpServer::run(bool handle_signals) {
  impl_->run(handle_signals);
}

void HttpServer::shutdown() {
  impl_->shutdown();
}

const ServerCounters& HttpServer::counters() const {
  return impl_->counters_;
}

}  // namespace sipas::survey_server
