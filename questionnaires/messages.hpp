#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sipas::questionnaires {

// Keys of the validation messages a respondent sees. Built in for `vi` and
// `en`; a questionnaire in another language supplies them in `messages`.
// Templates name their parameters in braces: {min}, {max}, {code}, {item}.
std::span<const std::string_view> message_keys();

// The built-in catalog for `language`, or nullopt when there is none.
const std::map<std::string, std::string, std::less<>>* builtin_messages(std::string_view language);

// At most `max_bytes` of `text` for echoing in a message, cut before a UTF-8
// character rather than through it, so that the message stays valid UTF-8.
std::string_view shorten(std::string_view text, std::size_t max_bytes);

// Replaces {name} in `pattern` by the matching value.
std::string format_message(
    std::string_view pattern,
    std::initializer_list<std::pair<std::string_view, std::string_view>> args);

}  // namespace sipas::questionnaires
