// The time one validation of one response takes (bench/worst_submission/):
// loads QUESTIONNAIRE and RESPONSE, validates the response --repeat times
// (default 5) with one Validator, as a server thread would, and prints the
// outcome, the steps the validation took, and the min and median of the wall
// and of the thread's CPU time of one validation (CPU time is the figure to
// read on a shared machine).
// --max-steps sets ValidationOptions::max_steps (0: the default).
//
//   validate_one QUESTIONNAIRE RESPONSE [--repeat N] [--max-steps N]

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "io/file.hpp"
#include "questionnaires/error.hpp"
#include "questionnaires/questionnaire.hpp"
#include "questionnaires/response.hpp"
#include "questionnaires/validation.hpp"

namespace {

namespace q = sipas::questionnaires;
using Clock = std::chrono::steady_clock;

double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

void print(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%s: min %.3f ms, median %.3f ms, max %.3f ms\n", what, ms.front(), ms[ms.size() / 2],
              ms.back());
}

int usage() {
  std::fprintf(stderr, "usage: validate_one QUESTIONNAIRE RESPONSE [--repeat N] [--max-steps N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) return usage();
  int repeat = 5;
  q::ValidationOptions options;
  for (int i = 3; i < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--repeat") {
      repeat = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--max-steps") {
      if (auto n = std::strtoull(argv[i + 1], nullptr, 10)) options.max_steps = n;
    } else {
      return usage();
    }
  }
  try {
    auto t0 = Clock::now();
    const q::Questionnaire form = q::load_questionnaire_file(argv[1]);
    double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    const q::Response response =
        q::parse_response(form, sipas::io::read_file(argv[2], 16 * 1024 * 1024));
    std::printf("questionnaire %s: %zu items, loaded in %.1f ms\n", form.id().c_str(),
                form.items().size(), load_ms);

    q::Validator validator(form, options);
    std::vector<double> wall, cpu;
    for (int i = 0; i < repeat; ++i) {
      std::string outcome;
      auto start = Clock::now();
      double cpu_start = cpu_ms();
      try {
        const auto& result = validator.validate(response);
        outcome = std::to_string(result.issues.size()) + " issue(s)";
        if (!result.ok()) outcome += ", first " + result.issues.front().id;
      } catch (const q::ResponseError& e) {
        outcome = std::string(e.id()) + ": " + e.what();
      }
      cpu.push_back(cpu_ms() - cpu_start);
      wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      if (i == 0) {
        std::printf("outcome: %s\nsteps: %llu of %llu\n", outcome.c_str(),
                    static_cast<unsigned long long>(validator.steps()),
                    static_cast<unsigned long long>(options.max_steps));
      }
    }
    std::printf("%d validations\n", repeat);
    print("CPU time", cpu);
    print("wall time", wall);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "validate_one: %s\n", e.what());
    return 1;
  }
  return 0;
}
