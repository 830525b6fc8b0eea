#pragma once

// The one form of every error the sipas command reports, and the ids and
// messages of the command-line errors CLI11 finds (an unknown option or
// command, a missing option, a bad value), with "did you mean" for a name
// that is close to a real one.

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sipas::cli {

// "sipas: error: MESSAGE [ID]": library errors and command-line errors alike.
void print_error(std::ostream& out, const std::string& id, const std::string& message);

struct UsageError {
  std::string id;  // cli.unknown_option, cli.unknown_command, cli.missing_option, ...
  std::string message;
};

// What went wrong in a parse that CLI11 refused (not --help or --version),
// named after the command it happened in ("analyze: unknown option --strat;
// did you mean --strata?").
UsageError describe_parse_error(CLI::App& app, const CLI::ParseError& error);

// The candidates closest to `typed` by edit distance (a swap of two letters
// counts as one edit), when close enough to be a slip: at most one edit per
// four characters, at least one. Ties are all returned, in candidate order.
std::vector<std::string> closest_names(std::string_view typed,
                                       const std::vector<std::string>& candidates);

}  // namespace sipas::cli
