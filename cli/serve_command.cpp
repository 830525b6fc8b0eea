// sipas serve: the survey server (survey_server/README.md).

#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "io/error.hpp"
#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"

namespace sipas::cli {
namespace {

namespace ss = sipas::survey_server;

struct ServeOptions {
  std::string db, listen = "127.0.0.1:8080", admin_key_file, public_url;
  int threads = 0;
  std::size_t max_connections = 20000;
  double request_timeout = 20, idle_timeout = 30;
  bool read_only = false;
};

int run_serve(const ServeOptions& o) {
  auto colon = o.listen.rfind(':');
  if (colon == std::string::npos) {
    throw Error("server.bad_listen", "--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
  }
  std::string address = o.listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  int port = -1;
  try {
    port = std::stoi(o.listen.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535) {
    throw Error("server.bad_listen", "--listen: the port must be a number from 0 to 65535");
  }
  ss::ServiceOptions service_options;
  service_options.db = o.db;
  if (!o.admin_key_file.empty()) service_options.admin_key_file = o.admin_key_file;
  service_options.public_url = o.public_url;
  service_options.read_only = o.read_only;
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
  server_options.request_timeout =
      std::chrono::milliseconds(static_cast<long>(o.request_timeout * 1000));
  server_options.idle_timeout = std::chrono::milliseconds(static_cast<long>(o.idle_timeout * 1000));
  ss::HttpServer server(server_options, service);
  service.set_metrics_source([&server](std::string& out) {
    const auto& c = server.counters();
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
  server.run(true);
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
      "Answers are committed to the SQLite database before they are acknowledged.\n"
      "SIGINT or SIGTERM: stop accepting, finish requests in flight, commit, exit 0.");
  cmd->add_option("--db", options->db,
                  "SQLite database file (created and migrated at start; checked with PRAGMA "
                  "quick_check, a damaged file is refused)")
      ->required();
  cmd->add_flag("--read-only", options->read_only,
                "open the database read-only: serve pages and reads, refuse every write (503)");
  cmd->add_option("--listen", options->listen, "ADDRESS:PORT to listen on (port 0: any free)")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads,
                  "I/O threads (default: the number of cores, at least 2)");
  cmd->add_option("--admin-key-file", options->admin_key_file,
                  "file of admin API keys, one per line: 'manager KEY' or 'analyst KEY'");
  cmd->add_option("--public-url", options->public_url,
                  "base URL of the links in invitation CSVs (default: from the request's Host)");
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
