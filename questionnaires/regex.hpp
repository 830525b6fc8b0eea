#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sipas::questionnaires {

struct RegexError {
  std::string message;
  std::size_t offset = 0;  // in the pattern
};

// A PCRE2 pattern compiled once, matched against the whole subject, in UTF
// mode, with match and depth limits so that a pathological pattern cannot hang
// validation. Thread-safe: each match uses its own match data.
struct CompiledRegex {
  static std::shared_ptr<const CompiledRegex> compile(
      std::string_view pattern);  // throws RegexError
  // False when there is no match, when the subject is not valid UTF-8, or when
  // the match hits its limits.
  bool matches(std::string_view subject) const;

  CompiledRegex() = default;
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;
  ~CompiledRegex();

 private:
  void* code_ = nullptr;           // pcre2_code_8*
  void* match_context_ = nullptr;  // pcre2_match_context_8*
};

}  // namespace sipas::questionnaires
