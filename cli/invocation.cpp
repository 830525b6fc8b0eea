#include "cli/commands.hpp"

namespace sipas::cli {
namespace {
std::string& stored() {
  static std::string text;
  return text;
}

// Quotes an argument that a shell would split or expand.
std::string quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?;&|<>()") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}
}  // namespace

void set_invocation(int argc, char** argv) {
  std::string text = "sipas";
  for (int i = 1; i < argc; ++i)
    text += " " + quoted(argv[i]);
  stored() = text;
}

const std::string& invocation() {
  return stored();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

void add_raw_csv_flag(CLI::App& command, bool& raw_csv) {
  command.add_flag(
      "--raw-csv", raw_csv,
      "Write CSV cells as they are. By default a text cell that begins with =, +, -, @, a tab or "
      "a carriage return (and is not a number) gets an apostrophe in front, so that a "
      "spreadsheet shows it as text instead of running it as a formula; sipas takes the "
      "apostrophe off again when it reads its own files. Use this for tools that are not "
      "spreadsheets");
}

}  // namespace sipas::cli
