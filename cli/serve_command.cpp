// sipas serve: the survey server (survey_server/README.md).

#include <iostream>
#include <thread>

#include "app/public_url.hpp"
#include "cli/commands.hpp"
#include "cli/database.hpp"
#include "io/error.hpp"
#include "survey_server/forwarded_client.hpp"
#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"

namespace sipas::cli {
namespace {

namespace ss = sipas::survey_server;

struct ServeOptions {
  std::string db, listen = "127.0.0.1:8080", admin_key_file, public_url, metrics_listen;
  int threads = 0;
  std::size_t max_connections = 20000, max_connections_per_address = 64;
  double request_timeout = 20, idle_timeout = 30;
  bool read_only = false;
  bool create_db = false;
  std::vector<std::string> trusted_proxies;
  int postgres_writers = 4;
  std::int64_t indices_every = 30;
};

struct Endpoint {
  std::string address;
  unsigned short port = 0;
};

// ADDRESS:PORT, [V6]:PORT, or PORT alone (loopback).
Endpoint parse_endpoint(const std::string& text, const std::string& option) {
  Endpoint out;
  const auto colon = text.rfind(':');
  out.address = colon == std::string::npos ? "127.0.0.1" : text.substr(0, colon);
  if (out.address.size() > 2 && out.address.front() == '[' && out.address.back() == ']')
    out.address = out.address.substr(1, out.address.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    const std::string digits = colon == std::string::npos ? text : text.substr(colon + 1);
    port = std::stoi(digits, &used);
    if (used != digits.size()) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) {
    throw Error("server.bad_listen",
                option + ": give ADDRESS:PORT (e.g. 127.0.0.1:8080) with a port from 0 to 65535");
  }
  out.port = static_cast<unsigned short>(port);
  return out;
}

int run_serve(const ServeOptions& o) {
  if (o.listen.rfind(':') == std::string::npos) {
    throw Error("server.bad_listen", "--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
  }
  const auto main_endpoint = parse_endpoint(o.listen, "--listen");
  const std::string address = main_endpoint.address;
  const int port = main_endpoint.port;
  const auto colon = o.listen.rfind(':');
  ss::ServiceOptions service_options;
  service_options.db = o.db;
  if (!o.admin_key_file.empty()) service_options.admin_key_file = o.admin_key_file;
  // Checked here too, so that the message names the flag.
  if (!o.public_url.empty()) app::checked_public_url(o.public_url, "--public-url");
  service_options.public_url = o.public_url;
  service_options.read_only = o.read_only;
  service_options.postgres_writers = o.postgres_writers;
  service_options.indices_refresh_seconds = o.indices_every;
  service_options.create_database = o.create_db;
  service_options.log = [](std::string_view message) {
    std::cerr << "sipas serve: " << message << "\n";
  };
  ss::SurveyService service(service_options);
  if (service.read_only()) {
    std::cerr << "sipas serve: the database " << o.db
              << " is open read-only: pages and admin reads work, answers and other writes are "
                 "refused (503 store.read_only)"
              << std::endl;
  }

  ss::ServerOptions server_options;
  server_options.address = address;
  server_options.port = static_cast<unsigned short>(port);
  server_options.threads = o.threads > 0
                               ? o.threads
                               : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  server_options.max_connections = o.max_connections;
  server_options.max_connections_per_address = o.max_connections_per_address;
  for (const auto& proxy : o.trusted_proxies) {
    std::string canonical = ss::canonical_address(proxy);
    if (canonical.empty()) {
      throw Error("server.bad_proxy",
                  "--trusted-proxy: '" + proxy + "' is not an IP address (e.g. 127.0.0.1)");
    }
    server_options.trusted_proxies.push_back(std::move(canonical));
  }
  server_options.request_timeout =
      std::chrono::milliseconds(static_cast<long>(o.request_timeout * 1000));
  server_options.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.idle_timeout * 1000));
  ss::HttpServer server(server_options, service);
  service.set_metrics_source([&server](std::string& out) {
    const auto& c = server.counters();
    out +=
        "# TYPE sipas_connections_refused_per_address_total counter\n"
        "sipas_connections_refused_per_address_total " +
        std::to_string(c.connections_refused_per_address.load()) + "\n";
    out += "# TYPE sipas_connections_open gauge\nsipas_connections_open " +
           std::to_string(c.connections_open.load()) + "\n";
    out += "# TYPE sipas_connections_accepted_total counter\nsipas_connections_accepted_total " +
           std::to_string(c.connections_accepted.load()) + "\n";
    out += "# TYPE sipas_connections_refused_total counter\nsipas_connections_refused_total " +
           std::to_string(c.connections_refused.load()) + "\n";
    out += "# TYPE sipas_request_timeouts_total counter\nsipas_request_timeouts_total " +
           std::to_string(c.timeouts.load()) + "\n";
  });
  // One line a script can read the port from (with --listen ...:0).
  std::cout << "sipas serve: listening on http://" << o.listen.substr(0, colon) << ":"
            << server.port() << " (" << server_options.threads << " threads, database " << o.db
            << ")" << std::endl;
  // Metrics without a key, on a listener of their own (loopback unless told).
  std::unique_ptr<ss::HttpServer> metrics_server;
  std::thread metrics_thread;
  if (!o.metrics_listen.empty()) {
    const auto endpoint = parse_endpoint(o.metrics_listen, "--metrics-listen");
    ss::ServerOptions metrics_options;
    metrics_options.address = endpoint.address;
    metrics_options.port = endpoint.port;
    metrics_options.threads = 1;
    metrics_options.max_connections = 64;
    metrics_server = std::make_unique<ss::HttpServer>(metrics_options, service.metrics_handler());
    std::cout << "sipas serve: metrics on http://" << endpoint.address << ":"
              << metrics_server->port() << "/metrics" << std::endl;
    metrics_thread = std::thread([&metrics_server] { metrics_server->run(false); });
  }
  server.run(true);
  if (metrics_server) {
    metrics_server->shutdown();
    metrics_thread.join();
  }
  service.stop();
  std::cout << "sipas serve: stopped; every acknowledged answer is committed" << std::endl;
  return exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve surveys over HTTP: web forms (/s/SURVEY), the JSON API and the admin API.\n"
      "Answers are committed to the database (SQLite, or PostgreSQL shared by several nodes)\n"
      "before they are acknowledged.\n"
      "SIGINT or SIGTERM: stop accepting, finish requests in flight, commit, exit 0.");
  cmd->add_option("--db", options->db,
                  std::string(database_help) +
                      " (migrated at start; an SQLite file is checked with PRAGMA quick_check, a "
                      "damaged file is refused)")
      ->required();
  cmd->add_flag("--create-db", options->create_db,
                "create the database file when it is missing (a new deployment that creates its "
                "surveys over the API); without it a missing --db is refused (store.not_found)");
  cmd->add_flag("--read-only", options->read_only,
                "open the database read-only: serve pages and reads, refuse every write (503)");
  cmd->add_option("--listen", options->listen, "ADDRESS:PORT to listen on (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads,
                  "I/O threads (default: the number of cores, at least 2)");
  cmd->add_option("--admin-key-file", options->admin_key_file,
                  "file of admin API keys, one per line: 'manager KEY' or 'analyst KEY'");
  cmd->add_option("--public-url", options->public_url,
                  "the server's public address, e.g. https://khaosat.example.gov.vn: the base of "
                  "invitation links and the origin form posts must come from (https://, or "
                  "http:// on loopback; no user, query or fragment)");
  cmd->add_option("--metrics-listen", options->metrics_listen,
                  "serve GET /metrics without a key on this ADDRESS:PORT (PORT alone: "
                  "127.0.0.1); on --listen, /metrics needs an analyst key");
  cmd->add_option("--max-connections-per-address", options->max_connections_per_address,
                  "connections one client address may hold at once")
      ->capture_default_str();
  cmd->add_option("--trusted-proxy", options->trusted_proxies,
                  "ADDRESS of a reverse proxy (nginx before several nodes): the rate limits count "
                  "its requests against the client address it puts last in X-Forwarded-For, and "
                  "its connections are not held to --max-connections-per-address; repeatable");
  cmd->add_option("--postgres-writers", options->postgres_writers,
                  "on PostgreSQL: writers of this node, each a connection that commits answers in "
                  "groups (on SQLite there is one)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--indices-every", options->indices_every,
                  "SECONDS: the console's survey page shows the live indices as last computed and "
                  "computes newer ones in the background at most this often")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  cmd->add_option("--max-connections", options->max_connections, "connections held at once")
      ->capture_default_str();
  cmd->add_option("--request-timeout", options->request_timeout,
                  "seconds a request may take to arrive")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", options->idle_timeout,
                  "seconds an idle keep-alive connection is kept")
      ->capture_default_str();
  cmd->callback([options, &run] { run = [options] { return run_serve(*options); }; });
}

}  // namespace sipas::cli
