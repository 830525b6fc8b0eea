#include "questionnaires/regex.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <string>

#include "io/utf8.hpp"

namespace sipas::questionnaires {
namespace {

// RE2's largest count in {n,m}.
constexpr unsigned max_repeat = 1000;

bool has_number_above(std::string_view text, unsigned limit) {
  unsigned long number = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      number = std::min(number * 10 + static_cast<unsigned>(c - '0'), 100000ul);
      if (number > limit) return true;
    } else {
      number = 0;
    }
  }
  return false;
}

// What a form writer used to PCRE, JavaScript or XLSForm most often meets, in
// their terms; RE2's own words follow. `at` is the refused part of the pattern.
std::string refusal(const re2::RE2& re, std::string_view at) {
  std::string why;
  switch (re.error_code()) {
    case re2::RE2::ErrorBadEscape:
      if (at.size() >= 2 && at[1] >= '1' && at[1] <= '9') why = "back-references are not supported";
      break;
    case re2::RE2::ErrorBadPerlOp:
      if (at.starts_with("(?=") || at.starts_with("(?!")) {
        why = "look-ahead is not supported";
      } else if (at.starts_with("(?<=") || at.starts_with("(?<!")) {
        why = "look-behind is not supported";
      } else if (at.starts_with("(?<")) {
        why = "a named group is written (?P<name>...)";
      } else if (at.starts_with("(?>")) {
        why = "atomic groups are not supported";
      }
      break;
    case re2::RE2::ErrorRepeatOp:
      why = "possessive and doubled quantifiers are not supported";
      break;
    case re2::RE2::ErrorRepeatSize:
      if (has_number_above(at, max_repeat)) {
        why = "a count in {n,m} is at most " + std::to_string(max_repeat);
      }
      break;
    case re2::RE2::ErrorPatternTooLarge:
      why =
          "the pattern is too large once compiled; check a length with string-length() rather "
          "than with a large count such as [\\p{L} ]{2,100}";
      break;
    default:
      break;
  }
  return why.empty() ? re.error() : why + " (" + re.error() + ")";
}

}  // namespace

CompiledRegex::CompiledRegex(std::unique_ptr<re2::RE2> re)
    : re_(std::move(re)), instructions_(static_cast<std::uint64_t>(re_->ProgramSize())) {}

CompiledRegex::~CompiledRegex() = default;

std::shared_ptr<const CompiledRegex> CompiledRegex::compile(std::string_view pattern) {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  options.set_max_mem(max_memory);
  options.set_log_errors(false);    // a library never prints; the error is returned
  options.set_never_capture(true);  // only whether it matches is asked
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    // RE2 names the part it refused, except for unbalanced parentheses (the
    // whole pattern) and a trailing backslash (nothing).
    std::size_t offset =
        re->error_arg().empty() ? std::string_view::npos : pattern.find(re->error_arg());
    if (re->error_code() == re2::RE2::ErrorTrailingBackslash) offset = pattern.size() - 1;
    if (offset == std::string_view::npos) offset = 0;
    throw RegexError{refusal(*re, pattern.substr(offset)), offset};
  }
  return std::shared_ptr<const CompiledRegex>(new CompiledRegex(std::move(re)));
}

bool CompiledRegex::matches(std::string_view subject) const {
  // Text that is not UTF-8 never matches, whatever the pattern (RE2's \C
  // would match a stray byte).
  if (!io::is_valid_utf8(subject)) return false;
  return re_->Match(re2::StringPiece(subject.data(), subject.size()), 0, subject.size(),
                    re2::RE2::ANCHOR_BOTH, nullptr, 0);
}

std::shared_ptr<const CompiledRegex> RegexCache::compile(std::string_view pattern) {
  if (auto it = compiled_.find(pattern); it != compiled_.end()) return it->second;
  if (compiled_.size() >= max_patterns) {
    throw RegexError{"a questionnaire has at most " + std::to_string(max_patterns) +
                         " different regex() patterns",
                     0};
  }
  auto compiled = CompiledRegex::compile(pattern);
  compiled_.emplace(pattern, compiled);
  return compiled;
}

}  // namespace sipas::questionnaires
