#pragma once

// Percent-encoding (RFC 3986) and application/x-www-form-urlencoded bodies and
// query strings (WHATWG URL standard, "application/x-www-form-urlencoded
// parsing"), strict: a '%' not followed by two hex digits, or a decoded name or
// value that is not valid UTF-8, is an error rather than being passed on.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/error.hpp"

namespace sipas::survey_server {

// A form body or query string that cannot be read. Ids: form.malformed (bad
// %XX, invalid UTF-8, a bad control field), form.too_many_fields (more than
// the caller's bound). Both are the client's fault (HTTP 400).
class FormError : public Error {
 public:
  using Error::Error;
};

// Decoded (name, value) pairs in the order sent. Names may repeat (a
// multiple-choice item sends one pair per selected code).
using FormFields = std::vector<std::pair<std::string, std::string>>;

// Enough for any form a questionnaire can produce, which sizes its own bound
// (form_submission.hpp); query strings and small forms use this.
inline constexpr std::size_t default_max_fields = 1000;

// %XX decoded; '+' stays '+' (for path segments). Throws FormError.
std::string percent_decode(std::string_view text);

// `name=value&name=value`: '+' is a space, %XX a byte. Empty pieces ("a=1&&b")
// are skipped; a piece without '=' is a name with an empty value. Throws
// FormError (form.too_many_fields) at the first pair beyond `max_fields`.
FormFields parse_urlencoded(std::string_view body, std::size_t max_fields = default_max_fields);

// The value of the first pair named `name`.
std::optional<std::string_view> find_field(const FormFields& fields, std::string_view name);

}  // namespace sipas::survey_server
