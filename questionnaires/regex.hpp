#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace sipas::questionnaires {

// A pattern RE2 does not accept: its message, and where in the pattern the
// part it refused starts (0 when RE2 does not say).
struct RegexError {
  std::string message;
  std::size_t offset = 0;
};

// A regex() pattern compiled once, when its questionnaire loads, by RE2: a
// linear-time engine without backtracking, so no pattern can make a match take
// more than (subject bytes) x (pattern instructions) steps. RE2 syntax, UTF-8,
// matched against the whole subject. Thread-safe: RE2 objects may be shared.
class CompiledRegex {
 public:
  // RE2's memory for one pattern: its compiled program and its DFA cache. A
  // pattern whose program does not fit is refused ([\p{L} ]{2,100} is; \p{L}{50},
  // about 60,000 instructions, is not); a DFA that outgrows the rest makes RE2
  // fall back to its slower NFA, which cost() prices.
  static constexpr std::int64_t max_memory = 1 << 20;

  static std::shared_ptr<const CompiledRegex> compile(
      std::string_view pattern);  // throws RegexError

  // False when there is no match or the subject is not valid UTF-8.
  bool matches(std::string_view subject) const;

  // The most work one match on a subject of this many bytes can take, in the
  // steps of a StepBudget (expression.hpp): one per instruction of the
  // compiled pattern per byte, RE2's NFA at its worst.
  std::uint64_t cost(std::size_t subject_bytes) const {
    return (static_cast<std::uint64_t>(subject_bytes) + 1) * instructions_;
  }
  std::uint64_t instructions() const { return instructions_; }

  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;
  ~CompiledRegex();

 private:
  explicit CompiledRegex(std::unique_ptr<re2::RE2> re);

  std::unique_ptr<re2::RE2> re_;
  std::uint64_t instructions_ = 0;
};

// The patterns of one questionnaire, each compiled once however many
// expressions use it, and at most max_patterns different ones, so that a form's
// patterns take at most max_patterns x CompiledRegex::max_memory. Used while
// loading; not thread-safe.
class RegexCache {
 public:
  static constexpr std::size_t max_patterns = 256;

  std::shared_ptr<const CompiledRegex> compile(std::string_view pattern);  // throws RegexError

 private:
  std::map<std::string, std::shared_ptr<const CompiledRegex>, std::less<>> compiled_;
};

}  // namespace sipas::questionnaires
