#pragma once

// Runs a program as a child process with standard input from /dev/null and
// captures its exit code, standard output and standard error.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace sipas::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Standard input is `input` when given, else /dev/null.
inline ProcessResult run_process(const std::vector<std::string>& args,
                                 const std::optional<std::string>& input = std::nullopt) {
  static int counter = 0;
  auto base = std::filesystem::temp_directory_path() /
              ("sipas-proc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  auto out_path = base.string() + ".out";
  auto err_path = base.string() + ".err";
  auto in_path = base.string() + ".in";
  if (input) std::ofstream(in_path, std::ios::binary) << *input;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, input ? in_path.c_str() : "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  if (input) std::filesystem::remove(in_path);
  return result;
}

// Runs the sipas executable built with the tests.
inline ProcessResult sipas(std::vector<std::string> args,
                           const std::optional<std::string>& input = std::nullopt) {
  args.insert(args.begin(), SIPAS_EXECUTABLE);
  return run_process(args, input);
}

}  // namespace sipas::test
