// multipart/form-data bodies (survey_server/multipart_form.hpp), the console's
// uploads: any bytes, read as a Content-Type line then the body, end in parts
// or ApiError request.bad_multipart. Every part's body lies inside the input
// and no part holds the delimiter it was cut at.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "survey_server/api_error.hpp"
#include "survey_server/multipart_form.hpp"

namespace server = sipas::survey_server;
using sipas::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = sipas::fuzz::as_text(data, size);
  const auto line_end = input.find('\n');
  if (line_end == std::string_view::npos) return 0;
  const auto boundary = server::multipart_boundary(input.substr(0, line_end));
  if (!boundary) return 0;
  expect(!boundary->empty() && boundary->size() <= 70, "a boundary is 1 to 70 characters");
  const auto body = input.substr(line_end + 1);
  try {
    const auto parts = server::parse_multipart(body, *boundary, 8);
    expect(parts.size() <= 8, "at most max_parts parts");
    const std::string delimiter = "\r\n--" + *boundary + "\r\n";
    for (const auto& part : parts) {
      expect(part.body.data() >= body.data() &&
                 part.body.data() + part.body.size() <= body.data() + body.size(),
             "a part's body is a view into the body");
      expect(part.body.find(delimiter) == std::string_view::npos, "no part holds a delimiter line");
    }
  } catch (const server::ApiError& e) {
    expect(e.id() == "request.bad_multipart" && e.status() == 400,
           "a malformed body is request.bad_multipart, 400");
  }
  return 0;
}
