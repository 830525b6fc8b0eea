#pragma once

// The real server in the test process: SurveyService and HttpServer on a free
// loopback port, a real database file in a TempDir, run on its own thread.

#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "survey_server/http_server.hpp"
#include "survey_server/service.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/key_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace sipas::test {

inline constexpr const char* manager_key = "manager-key-0123456789abcdef-0123456789";
inline constexpr const char* analyst_key = "analyst-key-0123456789abcdef-0123456789";

class TestServer {
 public:
  explicit TestServer(survey_server::ServiceOptions options = {},
                      survey_server::ServerOptions server_options = {}) {
    options.db = dir_ / "survey.db";
    auto keys = dir_ / "keys.txt";
    write_key_file(keys, std::string("# test keys\nmanager ") + manager_key + "\nanalyst " +
                             analyst_key + "\n");
    options.admin_key_file = keys;
    if (options.public_url.empty()) options.public_url = "http://127.0.0.1";
    db_ = options.db;
    service_ = std::make_unique<survey_server::SurveyService>(options);
    server_options.port = 0;
    server_options.threads = 2;
    server_ = std::make_unique<survey_server::HttpServer>(server_options, *service_);
    thread_ = std::thread([this] { server_->run(false); });
  }
  ~TestServer() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    server_->shutdown();
    thread_.join();
    service_->stop();
  }

  unsigned short port() const { return server_->port(); }
  const std::filesystem::path& db() const { return db_; }
  const TempDir& dir() const { return dir_; }
  HttpClient client() const { return HttpClient(port()); }

  static std::vector<std::pair<std::string, std::string>> as_manager() {
    return {{"Authorization", std::string("Bearer ") + manager_key}};
  }
  static std::vector<std::pair<std::string, std::string>> as_analyst() {
    return {{"Authorization", std::string("Bearer ") + analyst_key}};
  }

 private:
  TempDir dir_{"sipas-server"};
  std::filesystem::path db_;
  std::unique_ptr<survey_server::SurveyService> service_;
  std::unique_ptr<survey_server::HttpServer> server_;
  std::thread thread_;
};

}  // namespace sipas::test
