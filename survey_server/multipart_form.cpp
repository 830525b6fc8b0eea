#include "survey_server/multipart_form.hpp"

#include <algorithm>
#include <cctype>

#include "survey_server/api_error.hpp"

namespace sipas::survey_server {

namespace {

[[noreturn]] void bad(const std::string& message) {
  throw ApiError(400, "request.bad_multipart",
                 "the form's body is not multipart/form-data: " + message);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A parameter of a header value (`; name="value"` or `; name=value`),
// quoted strings with backslash escapes as browsers write them.
std::optional<std::string> header_parameter(std::string_view value, std::string_view name) {
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
      ++i;
    const auto eq = value.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const auto key = trim(value.substr(i, eq - i));
    std::string parsed;
    std::size_t j = eq + 1;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        parsed += value[j++];
      }
      if (j >= value.size()) return std::nullopt;  // unterminated
      ++j;
    } else {
      while (j < value.size() && value[j] != ';')
        parsed += value[j++];
      parsed = std::string(trim(parsed));
    }
    if (iequals(key, name)) return parsed;
    i = value.find(';', j);
  }
  return std::nullopt;
}

// The next CRLF--boundary from `from` that is a delimiter: followed by "--"
// (the last) or by optional spaces and CRLF; "--boundaryX" in a file is text.
std::size_t find_delimiter(std::string_view body, std::string_view delimiter, std::size_t from) {
  while (true) {
    const auto at = body.find(delimiter, from);
    if (at == std::string_view::npos) return at;
    auto after = at + delimiter.size();
    if (body.substr(after, 2) == "--") return at;
    while (after < body.size() && (body[after] == ' ' || body[after] == '\t'))
      ++after;
    if (body.substr(after, 2) == "\r\n") return at;
    from = at + 1;
  }
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary,
                                      std::size_t max_parts) {
  const std::string dash = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash;
  // The preamble (usually empty) ends at the first boundary line.
  std::size_t pos;
  if (body.starts_with(dash)) {
    pos = dash.size();
  } else {
    pos = find_delimiter(body, delimiter, 0);
    if (pos == std::string_view::npos) bad("no boundary line");
    pos += delimiter.size();
  }
  std::vector<FormPart> parts;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing boundary
    // Transport padding, then CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t'))
      ++pos;
    if (body.substr(pos, 2) != "\r\n") bad("a boundary line does not end in CRLF");
    pos += 2;
    if (parts.size() == max_parts) bad("more than " + std::to_string(max_parts) + " parts");
    FormPart part;
    bool named = false;
    // Headers, up to an empty line.
    while (true) {
      const auto end = body.find("\r\n", pos);
      if (end == std::string_view::npos) bad("a part's headers do not end");
      const auto line = body.substr(pos, end - pos);
      pos = end + 2;
      if (line.empty()) break;
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) bad("a part's header has no ':'");
      if (!iequals(trim(line.substr(0, colon)), "content-disposition")) continue;
      const auto value = line.substr(colon + 1);
      if (auto name = header_parameter(value, "name")) {
        part.name = std::move(*name);
        named = true;
      }
      part.file_name = header_parameter(value, "filename");
    }
    if (!named) bad("a part has no name");
    const auto end = find_delimiter(body, delimiter, pos);
    if (end == std::string_view::npos) bad("a part does not end with the boundary");
    part.body = body.substr(pos, end - pos);
    parts.push_back(std::move(part));
    pos = end + delimiter.size();
  }
}

const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name) {
  for (const auto& part : parts) {
    if (part.name == name) return &part;
  }
  return nullptr;
}

}  // namespace sipas::survey_server
