#include "cli/usage_errors.hpp"

#include <algorithm>
#include <cctype>

namespace sipas::cli {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of two neighbours, each one edit; letters compared without case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The subcommands after `app`'s, as typed: "analyze", "survey create".
CLI::App* deepest_command(CLI::App& app, std::string& path) {
  CLI::App* command = &app;
  for (;;) {
    auto parsed = command->get_subcommands();
    if (parsed.empty()) return command;
    command = parsed.front();
    path += (path.empty() ? "" : " ") + command->get_name();
  }
}

std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const auto& name : option->get_lnames())
      names.push_back("--" + name);
    for (const auto& name : option->get_snames())
      names.push_back("-" + name);
  }
  return names;
}

std::vector<std::string> command_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

// {a, b, c} → "a, b or c" (with ", " and " or ").
std::string joined(const std::vector<std::string>& names, const std::string& between,
                   const std::string& last) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last : between;
    out += names[i];
  }
  return out;
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string>& candidates) {
  const auto close = closest_names(typed, candidates);
  return close.empty() ? "" : "; did you mean " + joined(close, ", ", " or ") + "?";
}

bool is_option(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1]));
}

// "--strat=x" → "--strat".
std::string option_name(const std::string& arg) {
  return arg.substr(0, arg.find('='));
}

UsageError unknown_options(const CLI::App& command, const std::vector<std::string>& args) {
  const auto candidates = option_names(command);
  std::vector<std::string> parts;
  for (const auto& arg : args) {
    if (!is_option(arg)) continue;
    const auto name = option_name(arg);
    parts.push_back("unknown option " + name + did_you_mean(name, candidates));
  }
  std::string message;
  for (const auto& part : parts)
    message += (message.empty() ? "" : "; ") + part;
  return UsageError{"cli.unknown_option", message};
}

UsageError unexpected_arguments(const CLI::App& command, const std::vector<std::string>& args) {
  auto candidates = command_names(command);
  for (const auto& name : option_names(command)) {
    if (name.starts_with("--")) candidates.push_back(name);
  }
  // A word typed without its dashes ("strata") is matched against "--strata" too.
  auto suggestions = closest_names(args.front(), candidates);
  if (suggestions.empty()) suggestions = closest_names("--" + args.front(), candidates);
  std::string message = args.size() == 1 ? "unexpected argument '" : "unexpected arguments '";
  message += joined(args, "', '", "', '") + "'";
  if (!suggestions.empty()) message += "; did you mean " + joined(suggestions, ", ", " or ") + "?";
  return UsageError{"cli.unexpected_argument", message};
}

UsageError missing_or_unknown_command(const CLI::App& command) {
  const auto names = command_names(command);
  const auto args = command.remaining();
  if (args.empty())
    return UsageError{"cli.missing_command", "give a command: " + joined(names, ", ", ", ")};
  if (is_option(args.front())) return unknown_options(command, {args.front()});
  const auto close = closest_names(args.front(), names);
  std::string message = "unknown command '" + args.front() + "'";
  message += close.empty() ? "; the commands: " + joined(names, ", ", ", ")
                           : "; did you mean " + joined(close, ", ", " or ") + "?";
  return UsageError{"cli.unknown_command", message};
}

UsageError classify(CLI::App& command, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
    const auto args = command.remaining();
    if (args.empty()) return UsageError{"cli.unexpected_argument", error.what()};
    if (std::any_of(args.begin(), args.end(), is_option)) return unknown_options(command, args);
    return unexpected_arguments(command, args);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error)) {
    if (command.get_require_subcommand_min() > 0 && command.get_subcommands().empty()) {
      return missing_or_unknown_command(command);
    }
    return UsageError{"cli.missing_option", error.what()};
  }
  if (dynamic_cast<const CLI::RequiresError*>(&error))
    return UsageError{"cli.missing_option", error.what()};
  if (dynamic_cast<const CLI::ExcludesError*>(&error)) {
    return UsageError{"cli.conflicting_options", error.what()};
  }
  // ConversionError, ValidationError, ArgumentMismatch: a value that is not
  // one the option takes, or too few or too many values.
  return UsageError{"cli.bad_value", error.what()};
}

}  // namespace

void print_error(std::ostream& out, const std::string& id, const std::string& message) {
  out << "sipas: error: " << message << " [" << id << "]\n";
}

UsageError describe_parse_error(CLI::App& app, const CLI::ParseError& error) {
  std::string path;
  CLI::App& command = *deepest_command(app, path);
  UsageError described = classify(command, error);
  const std::string help = path.empty() ? "sipas --help" : "sipas " + path + " --help";
  described.message = (path.empty() ? "" : path + ": ") + described.message + " (" + help + ")";
  return described;
}

std::vector<std::string> closest_names(std::string_view typed,
                                       const std::vector<std::string>& candidates) {
  const std::size_t allowed = std::max<std::size_t>(1, typed.size() / 4);
  std::size_t best = allowed + 1;
  std::vector<std::string> out;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(typed, candidate);
    if (d > best) continue;
    if (d < best) out.clear();
    best = d;
    if (std::find(out.begin(), out.end(), candidate) == out.end()) out.push_back(candidate);
  }
  return out;
}

}  // namespace sipas::cli
