#pragma once

// multipart/form-data (RFC 7578): what a browser sends for a form with a file
// input. Only what such a form holds: parts with a name, a file name for
// files, and a body; no nested multiparts, no transfer encodings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipas::survey_server {

struct FormPart {
  std::string name;
  std::optional<std::string> file_name;  // a file input's part: the name the browser gave
  std::string_view body;                 // a view into the parsed text
};

// The boundary of a Content-Type such as `multipart/form-data;
// boundary=----x`, or nullopt when the header has none (or an empty or
// over-long one: RFC 2046 allows 1-70 characters).
std::optional<std::string> multipart_boundary(std::string_view content_type);

// The parts of `body`, in order. Throws ApiError 400 request.bad_multipart
// when the body does not follow the boundary's structure, when a part has no
// name, or beyond `max_parts` parts.
std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary,
                                      std::size_t max_parts = 16);

// The first part of that name, if any.
const FormPart* find_part(const std::vector<FormPart>& parts, std::string_view name);

}  // namespace sipas::survey_server
