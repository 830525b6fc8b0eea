#pragma once

// The options of the data generators (make_frame, make_responses):
// --rows N --seed S --out FILE, all required.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace sipas::bench {

struct GeneratorArgs {
  std::uint64_t rows = 0, seed = 0;
  const char* out = nullptr;
};

[[noreturn]] inline void generator_usage(const char* program, const char* message) {
  std::fprintf(stderr, "%s: %s\nusage: %s --rows N --seed S --out FILE\n", program, message,
               program);
  std::exit(2);
}

inline GeneratorArgs parse_generator_args(const char* program, int argc, char** argv) {
  auto count = [program](const char* text, const char* what) {
    std::uint64_t value = 0;
    const char* end = text + std::strlen(text);
    auto [stop, ec] = std::from_chars(text, end, value);
    if (ec != std::errc() || stop != end) generator_usage(program, what);
    return value;
  };
  GeneratorArgs args;
  bool have_rows = false, have_seed = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) generator_usage(program, "every option takes a value");
    if (arg == "--rows") {
      args.rows = count(argv[++i], "--rows must be a whole number");
      have_rows = true;
    } else if (arg == "--seed") {
      args.seed = count(argv[++i], "--seed must be a whole number");
      have_seed = true;
    } else if (arg == "--out") {
      args.out = argv[++i];
    } else {
      generator_usage(program, "unknown option");
    }
  }
  if (!have_rows || !have_seed || args.out == nullptr)
    generator_usage(program, "--rows, --seed and --out are required");
  return args;
}

}  // namespace sipas::bench
