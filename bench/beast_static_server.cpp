// The floor of Boost.Beast on this machine: the least an asynchronous Beast
// server does to answer a GET with a page it holds in memory (Beast's own
// "http_server_async" example, cut down: no routing, no timeouts, no
// database, no rendering). bench/server_bench.sh serves the saved form page
// with it beside sipas and nginx, so that "sipas against nginx" can be split
// into what sipas adds over Beast and what Beast costs against nginx.
//
//   beast_static_server PAGE_FILE [THREADS]
//
// Listens on 127.0.0.1 at a free port and prints "listening on PORT"; answers
// every request with 200 and the file's bytes (text/html), keep-alive.

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<const std::string> page)
      : stream_(std::move(socket)), page_(std::move(page)) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    request_ = {};
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return close();
    response_.emplace(http::status::ok, request_.version());
    response_->set(http::field::server, "beast-static");
    response_->set(http::field::content_type, "text/html; charset=utf-8");
    response_->body() = *page_;
    response_->keep_alive(request_.keep_alive());
    response_->prepare_payload();
    http::async_write(stream_, *response_,
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec || !self->response_->keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  std::optional<http::response<http::string_body>> response_;
  std::shared_ptr<const std::string> page_;
};

void accept(tcp::acceptor& acceptor, net::io_context& ioc,
            const std::shared_ptr<const std::string>& page) {
  acceptor.async_accept(net::make_strand(ioc),
                        [&acceptor, &ioc, page](beast::error_code ec, tcp::socket socket) {
                          if (!ec) std::make_shared<Session>(std::move(socket), page)->start();
                          accept(acceptor, ioc, page);
                        });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: beast_static_server PAGE_FILE [THREADS]\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "beast_static_server: cannot read " << argv[1] << "\n";
    return 2;
  }
  auto page = std::make_shared<const std::string>(std::istreambuf_iterator<char>(in),
                                                  std::istreambuf_iterator<char>());
  const int threads = argc == 3 ? std::stoi(argv[2]) : 2;
  net::io_context ioc(threads);
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  std::cout << "listening on " << acceptor.local_endpoint().port() << std::endl;
  accept(acceptor, ioc, page);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool)
    t.join();
}
