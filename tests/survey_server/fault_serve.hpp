#pragma once

// `sipas serve` as a child process for the crash and fault tests, and the
// admin calls they share. The child is started with fork and exec so that it
// can get a limit or another user first:
// - a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored): a write past it fails
//   with EFBIG, which is how a full disk looks to SQLite without a small
//   filesystem (mounting one needs root);
// - an unprivileged user: chmod 0444 stops a write only for a process that
//   is not root, and the tests may run as root.
// Its standard output and error go to files in the test's directory.

#include <fcntl.h>

#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/survey_server/load_support.hpp"
#include "tests/survey_server/test_server.hpp"

namespace sipas::test {

struct ServeSetup {
  std::vector<std::string> extra_args;           // after the usual ones
  std::optional<std::uint64_t> file_size_limit;  // bytes (RLIMIT_FSIZE)
  std::optional<std::pair<uid_t, gid_t>> user;   // run as this user (the tests run as root)
};

class ServeProcess {
 public:
  // Starts `sipas serve --db DB --listen 127.0.0.1:0 --threads 2
  // --admin-key-file DIR/keys.txt EXTRA...`; output in DIR/NAME.out, .err.
  ServeProcess(const TempDir& dir, const std::filesystem::path& db, const std::string& name,
               const ServeSetup& setup = {})
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    const auto keys = dir / "keys.txt";
    write_key_file(keys, std::string("manager ") + manager_key + "\nanalyst " + analyst_key + "\n");
    // The server may run as another user: the key file is that user's own.
    if (setup.user && ::chown(keys.c_str(), setup.user->first, setup.user->second) != 0) {
      throw std::runtime_error("cannot give the key file to the server's user");
    }
    std::vector<std::string> args = {SIPAS_EXECUTABLE,   "serve",       "--db",       db.string(),
                                     "--listen",         "127.0.0.1:0", "--threads",  "2",
                                     "--admin-key-file", keys.string(), "--create-db"};
    if (std::find(setup.extra_args.begin(), setup.extra_args.end(), "--public-url") ==
        setup.extra_args.end()) {
      args.insert(args.end(), {"--public-url", "http://127.0.0.1"});
    }
    args.insert(args.end(), setup.extra_args.begin(), setup.extra_args.end());
    // Everything the child needs is made before fork: after it, only
    // async-signal-safe calls until exec.
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string out_path = out_.string(), err_path = err_.string();
    // An output of an earlier run under the same name must not be read as this one's.
    std::filesystem::remove(out_);
    std::filesystem::remove(err_);
    rlimit limit{};
    if (setup.file_size_limit) limit.rlim_cur = limit.rlim_max = *setup.file_size_limit;
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in < 0 || out < 0 || err < 0) ::_exit(124);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (setup.file_size_limit) {
        ::signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec: write() fails with EFBIG
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(125);
      }
      if (setup.user) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(setup.user->second) != 0 ||
            ::setuid(setup.user->first) != 0)
          ::_exit(125);
      }
      ::execve(argv[0], argv.data(), environ);
      ::_exit(126);
    }
  }
  ~ServeProcess() { kill_now(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Waits until it listens (true; port() is set) or exits (false;
  // exit_code() is set). Reads the port from "sipas serve: listening on
  // http://127.0.0.1:PORT (...)".
  bool wait_started(std::chrono::seconds limit = std::chrono::seconds(60)) {
    const std::string marker = "listening on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto text = slurp(out_);
      if (auto at = text.find(marker); at != std::string::npos) {
        const auto digits = text.substr(at + marker.size());
        if (digits.find(' ') != std::string::npos) {
          port_ = static_cast<unsigned short>(std::stoi(digits));
          return true;
        }
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_now();
    throw std::runtime_error("sipas serve neither listened nor exited: " + err());
  }

  unsigned short port() const { return port_; }
  std::optional<int> exit_code() const { return exit_code_; }
  bool running() const { return pid_ > 0; }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

  // Sends `signal` and waits for the exit: the exit code, or 128 + signal.
  int signal_and_wait(int signal) {
    if (pid_ <= 0) return exit_code_.value_or(-1);
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *exit_code_;
  }

 private:
  void kill_now() {
    if (pid_ > 0) signal_and_wait(SIGKILL);
  }

  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::optional<int> exit_code_;
};

// Starts `sipas serve` and requires it to listen.
inline std::unique_ptr<ServeProcess> start_serve(const TempDir& dir,
                                                 const std::filesystem::path& db,
                                                 const std::string& name,
                                                 const ServeSetup& setup = {}) {
  auto server = std::make_unique<ServeProcess>(dir, db, name, setup);
  if (!server->wait_started()) {
    throw std::runtime_error("sipas serve exited at start (" +
                             std::to_string(server->exit_code().value_or(-1)) +
                             "): " + server->err());
  }
  return server;
}

// Creates survey `id` (sipas-citizen), opens it and imports `count`
// invitations; their tokens in import order.
inline std::vector<std::string> prepare_survey(HttpClient& c, const std::string& id,
                                               std::size_t count) {
  using Json = nlohmann::json;
  auto r = c.post("/api/v1/surveys", Json{{"id", id}, {"standard", "sipas-citizen"}}.dump(),
                  json_type, TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("create: " + r.body);
  r = c.post("/api/v1/surveys/" + id + "/open", "", "", TestServer::as_manager());
  if (r.status != 200) throw std::runtime_error("open: " + r.body);
  r = c.post("/api/v1/surveys/" + id + "/invitations", make_sample_csv(count, 4), "text/csv",
             TestServer::as_manager());
  if (r.status != 201) throw std::runtime_error("import: " + r.body.substr(0, 400));
  return tokens_of_links_csv(r.body);
}

// Every stored response of survey `id` through the admin export, paged:
// submission id → seq. A submission id seen twice is reported in `twice`.
struct StoredResponses {
  std::map<std::string, std::int64_t> seq_of;
  std::vector<std::string> twice;
};

inline StoredResponses stored_responses(HttpClient& c, const std::string& id) {
  using Json = nlohmann::json;
  StoredResponses out;
  std::int64_t since = 0;
  for (;;) {
    auto r = c.get("/api/v1/surveys/" + id + "/responses?limit=5000&since=" + std::to_string(since),
                   TestServer::as_analyst());
    if (r.status != 200) throw std::runtime_error("export: " + r.body);
    const auto body = Json::parse(r.body);
    if (body["responses"].empty()) return out;
    for (const auto& row : body["responses"]) {
      if (!out.seq_of
               .emplace(row["submission_id"].get<std::string>(), row["seq"].get<std::int64_t>())
               .second)
        out.twice.push_back(row["submission_id"].get<std::string>());
    }
    // The page's rows come in the invitations' order, not by seq: the cursor
    // is next_since.
    since = body["next_since"].get<std::int64_t>();
  }
}

}  // namespace sipas::test
