#define PCRE2_CODE_UNIT_WIDTH 8
#include "questionnaires/regex.hpp"

#include <pcre2.h>

namespace sipas::questionnaires {
namespace {
// Backtracking budget per match: enough for any sensible answer pattern,
// small enough that "(a+)+b" on a long string gives up in milliseconds.
constexpr std::uint32_t match_limit = 100000;
constexpr std::uint32_t depth_limit = 1000;
}  // namespace

std::shared_ptr<const CompiledRegex> CompiledRegex::compile(std::string_view pattern) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error, &error_offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(error, buffer, sizeof buffer);
    throw RegexError{reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(error_offset)};
  }
  auto regex = std::make_shared<CompiledRegex>();
  regex->code_ = code;
  auto* context = pcre2_match_context_create(nullptr);
  if (context == nullptr) throw RegexError{"out of memory", 0};
  pcre2_set_match_limit(context, match_limit);
  pcre2_set_depth_limit(context, depth_limit);
  regex->match_context_ = context;
  return regex;
}

bool CompiledRegex::matches(std::string_view subject) const {
  auto* code = static_cast<pcre2_code*>(code_);
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
  if (data == nullptr) return false;
  int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       data, static_cast<pcre2_match_context*>(match_context_));
  pcre2_match_data_free(data);
  return rc >= 0;
}

CompiledRegex::~CompiledRegex() {
  pcre2_match_context_free(static_cast<pcre2_match_context*>(match_context_));
  pcre2_code_free(static_cast<pcre2_code*>(code_));
}

}  // namespace sipas::questionnaires
