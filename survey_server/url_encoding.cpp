#include "survey_server/url_encoding.hpp"

#include "io/utf8.hpp"

namespace sipas::survey_server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes into `out`; '+' becomes a space when `plus_is_space`.
void decode(std::string_view text, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      int low = high >= 0 ? hex_value(text[i + 2]) : -1;
      if (low < 0) {
        throw FormError("form.malformed",
                        "'%' at byte " + std::to_string(i) + " is not followed by two hex digits");
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  if (!io::is_valid_utf8(out)) throw FormError("form.malformed", "the text is not valid UTF-8");
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  decode(text, false, out);
  return out;
}

FormFields parse_urlencoded(std::string_view body, std::size_t max_fields) {
  FormFields fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view piece = body.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    if (fields.size() >= max_fields) {
      throw FormError("form.too_many_fields",
                      "more than " + std::to_string(max_fields) + " fields in the form");
    }
    std::size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    auto& field = fields.emplace_back();
    decode(name, true, field.first);
    decode(value, true, field.second);
  }
  return fields;
}

std::optional<std::string_view> find_field(const FormFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace sipas::survey_server
